/**
 * One `scrape_config` entry → a resolved {@linkcode ScrapeJob}, with the defaults and validation
 * of current vmagent (lib/promscrape/config.go `getScrapeWorkConfig`).
 */

import type { DiscoveryKind } from "../discovery/types.ts";
import { type CompiledRelabelRules, parseRelabelConfigs } from "../relabel/apply.ts";
import type { AuthConfig } from "../promauth/config.ts";
import { HTTP_CLIENT_FIELDS, parseHTTPClientConfig } from "../promauth/parse.ts";
import {
  bool,
  duration,
  fail,
  fields,
  int,
  isLocated,
  joinPath,
  lineOf,
  list,
  size,
  str,
  strList,
  strMap,
  toJS,
  type YamlCtx,
  type YNode,
} from "../config/yaml.ts";
import { RELABEL_FIELDS } from "../relabel/config.ts";

/** Global defaults a job falls back to (from the `global` section). */
export interface JobGlobals {
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  readonly sampleLimit: number;
  readonly labelLimit: number;
}

/** The `-promscrape.*` flags that set per-job defaults. */
export interface JobFlagDefaults {
  /** -promscrape.maxScrapeSize, bytes. */
  readonly maxScrapeSize: number;
  readonly seriesLimitPerTarget: number;
  readonly noStaleMarkers: boolean;
  readonly streamParse: boolean;
  readonly disableCompression: boolean;
  readonly disableKeepAlive: boolean;
}

export const DEFAULT_JOB_FLAGS: JobFlagDefaults = Object.freeze({
  maxScrapeSize: 16 * 1024 * 1024,
  seriesLimitPerTarget: 0,
  noStaleMarkers: false,
  streamParse: false,
  disableCompression: false,
  disableKeepAlive: false,
});

export interface StaticConfig {
  readonly targets: readonly string[];
  /** Sorted by name, as vmagent's promutils.Labels does. */
  readonly labels: readonly (readonly [string, string])[];
}

/** One `*_sd_configs` entry, validated by its {@linkcode DiscoveryKind}. */
export interface SDConfigEntry {
  /** YAML key, e.g. "file_sd_configs"; look the kind up in DISCOVERY_KINDS. */
  readonly key: string;
  /** e.g. "file_sd_configs[0]" (relative to the job). */
  readonly name: string;
  /** What `kind.parse` returned: plain, frozen, postable. */
  readonly config: unknown;
}

/**
 * A fully resolved scrape job. Frozen. Everything except the two compiled relabel rule lists is
 * plain data; use {@linkcode postableJob} before postMessage and recompile from the `*Raw`
 * fields on the other side (compiled rules hold RegExps and per-thread caches).
 */
export interface ScrapeJob {
  readonly jobName: string;
  /** Where it came from, e.g. `scrape_configs[2]` or `/etc/jobs/a.yml: scrape_configs[0]`. */
  readonly origin: string;
  readonly scrapeIntervalMs: number;
  /** Already clamped to ≤ scrapeIntervalMs. */
  readonly scrapeTimeoutMs: number;
  /** Bytes: `max_scrape_size`, else -promscrape.maxScrapeSize. */
  readonly maxScrapeSize: number;
  readonly metricsPath: string;
  readonly scheme: "http" | "https";
  readonly honorLabels: boolean;
  /** Default false since vmagent v1.93.0 (v1.79.5 defaulted to true, as Prometheus does). */
  readonly honorTimestamps: boolean;
  readonly followRedirects: boolean;
  /** `params` in document order; each value list as given. */
  readonly params: readonly (readonly [string, readonly string[]])[];
  readonly http: AuthConfig;
  readonly proxyURL: string | null;
  /** `proxy_authorization`, `proxy_basic_auth`, … for talking to `proxyURL`. */
  readonly proxy: AuthConfig;
  readonly relabelConfigs: CompiledRelabelRules;
  /** The `relabel_configs` list as plain JSON (null when absent). */
  readonly relabelConfigsRaw: unknown;
  readonly metricRelabelConfigs: CompiledRelabelRules;
  readonly metricRelabelConfigsRaw: unknown;
  readonly sampleLimit: number;
  /** `series_limit`, else -promscrape.seriesLimitPerTarget; 0 = unlimited. */
  readonly seriesLimit: number;
  readonly labelLimit: number;
  /** `disable_compression` / `!enable_compression`, or -promscrape.disableCompression. */
  readonly disableCompression: boolean;
  readonly disableKeepAlive: boolean;
  readonly streamParse: boolean;
  readonly noStaleMarkers: boolean;
  /** 0 when unset; see vmagent-dedup-ha.md §3.2. */
  readonly scrapeAlignIntervalMs: number;
  readonly scrapeOffsetMs: number;
  /** v1.79.5 options (removed from later vmagent in favour of the relabel debug pages). */
  readonly relabelDebug: boolean;
  readonly metricRelabelDebug: boolean;
  readonly staticConfigs: readonly StaticConfig[];
  readonly sdConfigs: readonly SDConfigEntry[];
}

/** A ScrapeJob without the compiled rules: structured-clone safe. */
export type PostableScrapeJob = Omit<ScrapeJob, "relabelConfigs" | "metricRelabelConfigs">;

export function postableJob(job: ScrapeJob): PostableScrapeJob {
  const { relabelConfigs: _r, metricRelabelConfigs: _m, ...rest } = job;
  return rest;
}

const JOB_FIELDS = new Set([
  "job_name",
  "scrape_interval",
  "scrape_timeout",
  "max_scrape_size",
  "metrics_path",
  "honor_labels",
  "honor_timestamps",
  "scheme",
  "params",
  "relabel_configs",
  "metric_relabel_configs",
  "sample_limit",
  "label_limit",
  "enable_compression",
  "disable_compression",
  "disable_keepalive",
  "stream_parse",
  "scrape_align_interval",
  "scrape_offset",
  "series_limit",
  "no_stale_markers",
  "relabel_debug",
  "metric_relabel_debug",
  "static_configs",
  ...HTTP_CLIENT_FIELDS,
]);
const STATIC_FIELDS = new Set(["targets", "labels"]);

export interface JobParseEnv {
  readonly baseDir: string;
  readonly globals: JobGlobals;
  readonly flags: JobFlagDefaults;
  readonly kinds: ReadonlyMap<string, DiscoveryKind>;
}

/**
 * Validates and resolves one scrape_config. `path` is its YAML path, e.g. `scrape_configs[0]`.
 * @throws TypeError/SyntaxError/RangeError whose message starts with the offending path.
 */
export function parseScrapeJob(ctx: YamlCtx, node: YNode, path: string, origin: string, env: JobParseEnv): ScrapeJob {
  if (node === null) fail(ctx, node, path, "got null; want a scrape_config map");
  const isSD = (k: string) => k.endsWith("_sd_configs");
  const f = fields(ctx, node, path, JOB_FIELDS, isSD);
  const at = (k: string) => joinPath(path, k);
  const get = (k: string) => f.get(k) ?? null;
  const s = (k: string) => str(ctx, get(k), at(k));
  const b = (k: string) => bool(ctx, get(k), at(k));
  const i = (k: string) => int(ctx, get(k), at(k));
  const d = (k: string) => duration(ctx, get(k), at(k));

  const jobName = s("job_name") ?? "";
  if (jobName === "") fail(ctx, node, path, "missing `job_name`");

  let scrapeIntervalMs = d("scrape_interval") ?? 0;
  if (scrapeIntervalMs <= 0) scrapeIntervalMs = env.globals.scrapeIntervalMs;
  let scrapeTimeoutMs = d("scrape_timeout") ?? 0;
  if (scrapeTimeoutMs <= 0) scrapeTimeoutMs = env.globals.scrapeTimeoutMs;
  // Like Prometheus: a slow target then misses at most one scrape.
  if (scrapeTimeoutMs > scrapeIntervalMs) scrapeTimeoutMs = scrapeIntervalMs;

  let maxScrapeSize = size(ctx, get("max_scrape_size"), at("max_scrape_size")) ?? 0;
  if (maxScrapeSize <= 0) maxScrapeSize = env.flags.maxScrapeSize;

  const metricsPath = s("metrics_path") || "/metrics";
  const scheme = (s("scheme") ?? "").toLowerCase() || "http";
  if (scheme !== "http" && scheme !== "https") {
    fail(
      ctx,
      get("scheme"),
      at("scheme"),
      `unsupported scheme ${JSON.stringify(scheme)}; supported values: http, https`,
    );
  }

  const params: (readonly [string, readonly string[]])[] = [];
  const paramsNode = get("params");
  if (paramsNode !== null) {
    const pf = fields(ctx, paramsNode, at("params"), new Set(), () => true);
    for (const [k, v] of pf) params.push([k, strList(ctx, v, joinPath(at("params"), k))]);
  }

  const relabelConfigsRaw = toJS(ctx, get("relabel_configs"));
  const metricRelabelConfigsRaw = toJS(ctx, get("metric_relabel_configs"));
  const compile = (raw: unknown, k: string) => {
    try {
      return parseRelabelConfigs(ctx.strict ? raw : stripUnknownRelabelFields(raw), at(k));
    } catch (e) {
      throw withLine(ctx, e, get(k));
    }
  };

  const enableCompression = b("enable_compression");
  const seriesLimit = i("series_limit");
  const noStaleMarkers = b("no_stale_markers");

  const staticConfigs = list(ctx, get("static_configs"), at("static_configs")).map((n, j): StaticConfig => {
    const p = `${at("static_configs")}[${j}]`;
    const sf = fields(ctx, n, p, STATIC_FIELDS);
    const labels = strMap(ctx, sf.get("labels") ?? null, joinPath(p, "labels"));
    labels.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    return { targets: strList(ctx, sf.get("targets") ?? null, joinPath(p, "targets")), labels };
  });

  const client = parseHTTPClientConfig(ctx, f, path, env.baseDir);

  const sdConfigs: SDConfigEntry[] = [];
  for (const [key, value] of f) {
    if (!isSD(key) || JOB_FIELDS.has(key)) continue;
    const kind = env.kinds.get(key);
    if (kind === undefined) {
      const supported = ["static_configs", ...[...env.kinds.keys()].sort()].join(", ");
      const msg = `unsupported service discovery ${JSON.stringify(key)}; supported: ${supported}`;
      if (ctx.strict) fail(ctx, value, at(key), msg);
      ctx.warn(`Ignoring ${at(key)}: ${msg}`);
      continue;
    }
    list(ctx, value, at(key)).forEach((n, j) => {
      const name = `${key}[${j}]`;
      let config: unknown;
      try {
        config = kind.parse({
          raw: toJS(ctx, n),
          yaml: { ctx, node: n },
          path: joinPath(path, name),
          strict: ctx.strict,
          baseDir: env.baseDir,
        });
      } catch (e) {
        throw withLine(ctx, e, n);
      }
      sdConfigs.push({ key, name, config });
    });
  }

  return {
    jobName,
    origin,
    scrapeIntervalMs,
    scrapeTimeoutMs,
    maxScrapeSize,
    metricsPath,
    scheme,
    honorLabels: b("honor_labels") ?? false,
    honorTimestamps: b("honor_timestamps") ?? false,
    followRedirects: client.followRedirects,
    params,
    http: client.auth,
    proxyURL: client.proxyURL,
    proxy: client.proxy,
    relabelConfigs: compile(relabelConfigsRaw, "relabel_configs"),
    relabelConfigsRaw,
    metricRelabelConfigs: compile(metricRelabelConfigsRaw, "metric_relabel_configs"),
    metricRelabelConfigsRaw,
    sampleLimit: i("sample_limit") ?? env.globals.sampleLimit,
    seriesLimit: seriesLimit ?? env.flags.seriesLimitPerTarget,
    labelLimit: i("label_limit") ?? env.globals.labelLimit,
    disableCompression: (enableCompression === null ? (b("disable_compression") ?? false) : !enableCompression) ||
      env.flags.disableCompression,
    disableKeepAlive: (b("disable_keepalive") ?? false) || env.flags.disableKeepAlive,
    streamParse: (b("stream_parse") ?? false) || env.flags.streamParse,
    noStaleMarkers: noStaleMarkers ?? env.flags.noStaleMarkers,
    scrapeAlignIntervalMs: d("scrape_align_interval") ?? 0,
    scrapeOffsetMs: d("scrape_offset") ?? 0,
    relabelDebug: b("relabel_debug") ?? false,
    metricRelabelDebug: b("metric_relabel_debug") ?? false,
    staticConfigs,
    sdConfigs,
  };
}

/** The same error class with ` at line N` of `node` appended, unless it names its line already. */
function withLine(ctx: YamlCtx, e: unknown, node: YNode): unknown {
  if (!(e instanceof Error) || isLocated(e)) return e;
  const Ctor = e instanceof SyntaxError ? SyntaxError : e instanceof RangeError ? RangeError : TypeError;
  return new Ctor(e.message + lineOf(ctx, node), { cause: e });
}

/** Non-strict mode: yaml.v2 would silently drop unknown rule fields; the relabel parser rejects them. */
function stripUnknownRelabelFields(raw: unknown): unknown {
  if (!Array.isArray(raw)) return raw;
  return raw.map((r: unknown) => {
    if (typeof r !== "object" || r === null || Array.isArray(r)) return r;
    return Object.fromEntries(Object.entries(r).filter(([k]) => RELABEL_FIELDS.has(k)));
  });
}
