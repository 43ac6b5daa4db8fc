/**
 * Target generation: discovered target labels + job settings →
 * relabeled, sharded, immutable {@linkcode ScrapeWork}, as current vmagent
 * does it (lib/promscrape/config.go `getScrapeWork`):
 *
 * 1. merge `job`, `__address__`, `__scheme__`, `__metrics_path__`,
 *    `__scrape_interval__`, `__scrape_timeout__`, `__param_<k>` (first
 *    value), then the group labels and `__meta_*` labels (later wins), and
 *    sort by name;
 * 2. apply `relabel_configs`, drop `__meta_*`;
 * 3. with `-promscrape.cluster.membersCount > 1`, keep the target only if
 *    this member is one of its owners (sharding/cluster.ts);
 * 4. build the scrape URL (scheme/path may also come from `__address__`,
 *    default port 80/443, `__param_*` labels override `params`);
 * 5. read `__scrape_interval__`, `__scrape_timeout__`, `__series_limit__`,
 *    `__stream_parse__`; drop every `__*` label; `instance` defaults to the
 *    address.
 *
 * @module
 */

import { parseDuration } from "../config/_units.ts";
import { applyRelabeling, Labels } from "../relabel/apply.ts";
import { ownersOf, shardKey, type ShardKeyRule } from "../sharding/cluster.ts";
import { goDurationString } from "../sharding/go_format.ts";
import { labelsString, phaseKey, phaseNs } from "../sharding/phase.ts";
import type { HTTPClientConfig } from "../promauth/config.ts";
import type { ScrapeJob } from "./_config_job.ts";
import type { TargetLabels } from "../discovery/types.ts";

export type LabelList = readonly (readonly [string, string])[];

/** Everything needed to scrape one target. Frozen plain data, postable to workers. */
export interface ScrapeWork {
  /** Unique per target: the scrape URL plus the final labels. */
  readonly id: string;
  readonly jobName: string;
  readonly scrapeURL: string;
  /** Final target labels, sorted by name, no `__*`; `job` and `instance` included. */
  readonly labels: LabelList;
  /** Added to every scraped series that lacks them, after metric relabeling. */
  readonly externalLabels: LabelList;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** When this target is scraped within its interval, ns (vmagent's hash phase). */
  readonly phaseNs: number;
  readonly alignIntervalMs: number;
  readonly offsetMs: number;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly sampleLimit: number;
  readonly seriesLimit: number;
  readonly labelLimit: number;
  readonly maxScrapeSize: number;
  readonly streamParse: boolean;
  readonly noStaleMarkers: boolean;
  readonly disableCompression: boolean;
  readonly disableKeepAlive: boolean;
  /** The job's auth, TLS, proxy and redirect settings (promauth). */
  readonly client: HTTPClientConfig;
  /** `metric_relabel_configs` as plain YAML; workers compile it. */
  readonly metricRelabelConfigsRaw: unknown;
}

/** Why a discovered target is not scraped here (shown on /service-discovery). */
export interface DroppedTarget {
  readonly jobName: string;
  readonly originalLabels: LabelList;
  readonly reason: "relabeling" | "missing scrape URL" | "sharding" | "invalid label" | "duplicate";
  /** For sharding: the members that own it. */
  readonly owners?: readonly number[];
  readonly detail?: string;
}

/** Cluster settings (`-promscrape.cluster.*`). */
export interface ClusterSettings {
  readonly membersCount: number;
  readonly memberNum: number;
  readonly replicationFactor: number;
  readonly name: string;
  readonly keyRule: ShardKeyRule;
}

export const NO_CLUSTER: ClusterSettings = {
  membersCount: 0,
  memberNum: 0,
  replicationFactor: 1,
  name: "",
  keyRule: "current",
};

/** Go's `url.QueryEscape`. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, "+")
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `scheme://address/path?params` with vmagent's rules; empty when there is no address. */
export function scrapeURLOf(labels: Labels, jobParams: ScrapeJob["params"]): { url: string; address: string } {
  let scheme = labels.get("__scheme__") || "http";
  let metricsPath = labels.get("__metrics_path__") || "/metrics";
  let address = labels.get("__address__");
  if (address === "") return { url: "", address: "" };
  // vmagent extension: scheme and path may be part of __address__.
  if (address.startsWith("http://")) {
    scheme = "http";
    address = address.slice(7);
  } else if (address.startsWith("https://")) {
    scheme = "https";
    address = address.slice(8);
  }
  const slash = address.indexOf("/");
  if (slash >= 0) {
    metricsPath = address.slice(slash);
    address = address.slice(0, slash);
  }
  if (!address.includes(":")) address += scheme === "https" ? ":443" : ":80";
  if (!metricsPath.startsWith("/")) metricsPath = "/" + metricsPath;
  // Params: each __param_<k> label's value first, then the job's extra values for k.
  const extra = new Map(jobParams.map(([k, v]) => [k, v]));
  const params: [string, string[]][] = [];
  for (let i = 0; i < labels.length; i++) {
    const n = labels.names[i]!;
    if (!n.startsWith("__param_")) continue;
    const k = n.slice(8);
    params.push([k, [labels.values[i]!, ...(extra.get(k)?.slice(1) ?? [])]]);
  }
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let q = "";
  for (const [k, vs] of params) for (const v of vs) q += `${q === "" ? "" : "&"}${queryEscape(k)}=${queryEscape(v)}`;
  const sep = q === "" ? "" : metricsPath.includes("?") ? "&" : "?";
  return { url: `${scheme}://${address}${metricsPath}${sep}${q}`, address };
}

/** Inputs shared by every target of one job. */
export interface TargetContext {
  readonly job: ScrapeJob;
  /** Global external_labels (part of the v1.79.5 shard and phase keys). */
  readonly externalLabels: LabelList;
  /** Labels added to scraped series: external labels plus -promscrape.cluster.memberLabel. Default: externalLabels. */
  readonly seriesLabels?: LabelList;
  readonly cluster: ClusterSettings;
  readonly dropOriginalLabels: boolean;
}

function sortedPairs(l: Labels): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < l.length; i++) out.push([l.names[i]!, l.values[i]!]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The labels a target has before relabeling (job defaults + discovered labels), sorted: `discoveredLabels`. */
export function discoveredLabels(job: ScrapeJob, target: TargetLabels): [string, string][] {
  return [...mergeTargetLabels(job, target)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function mergeTargetLabels(job: ScrapeJob, target: TargetLabels): Map<string, string> {
  const m = new Map<string, string>();
  m.set("job", job.jobName);
  m.set("__address__", target.__address__ ?? "");
  m.set("__scheme__", job.scheme);
  m.set("__metrics_path__", job.metricsPath);
  m.set("__scrape_interval__", goDurationString(job.scrapeIntervalMs));
  m.set("__scrape_timeout__", goDurationString(job.scrapeTimeoutMs));
  for (const [k, vs] of job.params) if (vs.length > 0) m.set(`__param_${k}`, vs[0]!);
  for (const k in target) m.set(k, target[k]!);
  return m;
}

/** Builds the ScrapeWork of one discovered target, or says why it is dropped. */
export function buildScrapeWork(ctx: TargetContext, target: TargetLabels): ScrapeWork | DroppedTarget {
  const { job, cluster } = ctx;
  const m = mergeTargetLabels(job, target);
  const labels = new Labels();
  for (const [k, v] of [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) labels.push(k, v);
  const original: LabelList = ctx.dropOriginalLabels ? [] : sortedPairs(labels);
  const drop = (reason: DroppedTarget["reason"], extra: Partial<DroppedTarget> = {}): DroppedTarget => ({
    jobName: job.jobName,
    originalLabels: original,
    reason,
    ...extra,
  });

  if (!applyRelabeling(job.relabelConfigs, labels)) return drop("relabeling");
  // Remove __meta_* (https://www.robustperception.io/life-of-a-label/).
  const kept = new Labels();
  for (let i = 0; i < labels.length; i++) {
    if (!labels.names[i]!.startsWith("__meta_")) kept.push(labels.names[i]!, labels.values[i]!);
  }
  if (kept.length === 0) return drop("relabeling");
  if (cluster.membersCount > 1) {
    const pairs: [string, string][] = [];
    for (let i = 0; i < kept.length; i++) pairs.push([kept.names[i]!, kept.values[i]!]);
    const owners = ownersOf(
      shardKey(pairs, cluster.keyRule, ctx.externalLabels),
      cluster.membersCount,
      cluster.replicationFactor,
    );
    if (!owners.includes(cluster.memberNum)) return drop("sharding", { owners });
  }
  const { url, address } = scrapeURLOf(kept, job.params);
  if (url === "") return drop("missing scrape URL");
  if (!URL.canParse(url)) return drop("invalid label", { detail: `invalid scrape URL ${JSON.stringify(url)}` });

  let intervalMs = job.scrapeIntervalMs;
  let timeoutMs = job.scrapeTimeoutMs;
  let seriesLimit = job.seriesLimit;
  let streamParse = job.streamParse;
  try {
    const si = kept.get("__scrape_interval__");
    if (si !== "") intervalMs = parseDuration(si);
    const st = kept.get("__scrape_timeout__");
    if (st !== "") timeoutMs = parseDuration(st);
    const sl = kept.get("__series_limit__");
    if (sl !== "") {
      seriesLimit = Number(sl);
      if (!Number.isInteger(seriesLimit) || seriesLimit < 0) {
        throw new RangeError(`cannot parse __series_limit__=${JSON.stringify(sl)}`);
      }
    }
    const sp = kept.get("__stream_parse__");
    if (sp !== "") streamParse = sp === "true" || sp === "1";
  } catch (err: unknown) {
    return drop("invalid label", { detail: (err as Error).message });
  }
  if (intervalMs <= 0) return drop("invalid label", { detail: "__scrape_interval__ must be positive" });
  timeoutMs = Math.min(timeoutMs, intervalMs);

  const final = new Labels();
  for (let i = 0; i < kept.length; i++) {
    const n = kept.names[i]!;
    if (!n.startsWith("__") && kept.values[i] !== "") final.push(n, kept.values[i]!);
  }
  if (final.get("instance") === "") final.push("instance", address);
  const finalLabels = sortedPairs(final);
  // vmagent <= v1.81 merged external_labels into target labels, so its phase key includes them.
  const lstr = labelsString(
    cluster.keyRule === "v1.79.5" ? mergeExternal(finalLabels, ctx.externalLabels) : finalLabels,
  );
  const phase = phaseNs(
    phaseKey(cluster.name, cluster.membersCount > 1 ? cluster.memberNum : 0, url, lstr),
    intervalMs,
  );
  return Object.freeze({
    id: `${url}${lstr}`,
    jobName: job.jobName,
    scrapeURL: url,
    labels: finalLabels,
    externalLabels: ctx.seriesLabels ?? ctx.externalLabels,
    intervalMs,
    timeoutMs,
    phaseNs: phase,
    alignIntervalMs: job.scrapeAlignIntervalMs,
    offsetMs: job.scrapeOffsetMs,
    honorLabels: job.honorLabels,
    honorTimestamps: job.honorTimestamps,
    sampleLimit: job.sampleLimit,
    seriesLimit,
    labelLimit: job.labelLimit,
    maxScrapeSize: job.maxScrapeSize,
    streamParse,
    noStaleMarkers: job.noStaleMarkers,
    disableCompression: job.disableCompression,
    disableKeepAlive: job.disableKeepAlive,
    client: clientOf(job),
    metricRelabelConfigsRaw: job.metricRelabelConfigsRaw,
  });
}

const CLIENTS = new WeakMap<ScrapeJob, HTTPClientConfig>();

/** One client config per job, shared by its targets. */
function clientOf(job: ScrapeJob): HTTPClientConfig {
  let c = CLIENTS.get(job);
  if (c === undefined) {
    c = Object.freeze({
      auth: job.http,
      proxyURL: job.proxyURL,
      proxy: job.proxy,
      followRedirects: job.followRedirects,
    });
    CLIENTS.set(job, c);
  }
  return c;
}

/** Target labels plus external labels (target labels win), sorted by name. */
function mergeExternal(labels: LabelList, external: LabelList): [string, string][] {
  const m = new Map<string, string>(external.map(([k, v]) => [k, v]));
  for (const [k, v] of labels) m.set(k, v);
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** True for a built target (not a drop). */
export function isScrapeWork(x: ScrapeWork | DroppedTarget): x is ScrapeWork {
  return (x as ScrapeWork).scrapeURL !== undefined;
}
