/**
 * `-promscrape.cluster.plan` (Drover-specific): which cluster member(s)
 * would scrape each target, how evenly the targets spread, and how many
 * would move if the cluster had one member fewer or more.
 *
 * The computation ({@linkcode computePlan}) is pure: it runs the same
 * target generation the scraper runs (./targets.ts `buildScrapeWork`),
 * with the owner rule of sharding/cluster.ts, once per member, so the plan cannot disagree with
 * what the members will actually scrape. {@linkcode resolvePlanInput} does
 * the I/O: it runs each job's service discovery once.
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import { DISCOVERY_KINDS } from "../discovery/registry.ts";
import type { DiscoveryKind, TargetLabels } from "../discovery/types.ts";
import type { ScrapeJob } from "./_config_job.ts";
import { type LoadedScrapeConfig, loadScrapeConfig } from "./config.ts";
import { buildScrapeWork, type ClusterSettings, isScrapeWork, type LabelList } from "./targets.ts";

/** One job's discovered targets (static and SD), as the scraper would see them. */
export interface PlanJob {
  readonly job: ScrapeJob;
  readonly targets: readonly TargetLabels[];
}

export interface PlanInput {
  readonly jobs: readonly PlanJob[];
  /** Global external_labels (part of the v1.79.5 key). */
  readonly externalLabels: LabelList;
  /** memberNum is ignored: every member is planned. */
  readonly cluster: ClusterSettings;
}

export interface PlannedTarget {
  readonly jobName: string;
  readonly instance: string;
  readonly scrapeURL: string;
  /** Same as ScrapeWork.id: URL plus final labels; identifies the target across cluster sizes. */
  readonly id: string;
  /** Members that scrape it, ascending. */
  readonly owners: readonly number[];
}

/** What changes if the cluster had `membersCount` members (same replicationFactor). */
export interface PlanResize {
  readonly membersCount: number;
  /** Targets whose owner set changes. */
  readonly movedTargets: number;
  /** (target, member) scrape assignments that a member would have to pick up. */
  readonly newAssignments: number;
}

export interface ClusterPlan {
  readonly membersCount: number;
  readonly replicationFactor: number;
  /** Sorted by job, then scrape URL, then id. */
  readonly targets: readonly PlannedTarget[];
  /** Targets each member scrapes; index = member number. */
  readonly perMember: readonly number[];
  /** max(perMember) / mean(perMember); 1 = perfectly even, 0 without targets. */
  readonly imbalance: number;
  /** Targets dropped by relabeling or invalid labels (not by sharding). */
  readonly droppedTargets: number;
  /** For membersCount-1 (when ≥ 1) and membersCount+1. */
  readonly resizes: readonly PlanResize[];
}

/** Owners per target id for a cluster of `membersCount`, plus the targets themselves. */
function assign(
  input: PlanInput,
  membersCount: number,
): { owners: Map<string, number[]>; targets: Map<string, Omit<PlannedTarget, "owners">>; dropped: number } {
  const owners = new Map<string, number[]>();
  const targets = new Map<string, Omit<PlannedTarget, "owners">>();
  let dropped = 0;
  const members = Math.max(membersCount, 1);
  for (const { job, targets: discovered } of input.jobs) {
    for (let m = 0; m < members; m++) {
      const ctx = {
        job,
        externalLabels: input.externalLabels,
        cluster: { ...input.cluster, membersCount, memberNum: m },
        dropOriginalLabels: true,
      };
      // Duplicate targets (same URL and labels) are scraped once, as in the scraper.
      const seen = new Set<string>();
      for (let i = 0; i < discovered.length; i++) {
        const r = buildScrapeWork(ctx, discovered[i]!);
        if (!isScrapeWork(r)) {
          if (m === 0 && r.reason !== "sharding") dropped++;
          continue;
        }
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        let list = owners.get(r.id);
        if (list === undefined) {
          owners.set(r.id, list = []);
          const instance = r.labels.find(([k]) => k === "instance")?.[1] ?? "";
          targets.set(r.id, { jobName: r.jobName, instance, scrapeURL: r.scrapeURL, id: r.id });
        }
        list.push(m);
      }
    }
  }
  return { owners, targets, dropped };
}

function sameOwners(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Plans the cluster in `input.cluster` (membersCount ≤ 1 means one member
 * scraping everything). Cost: (3·membersCount) target generations per
 * discovered target.
 */
export function computePlan(input: PlanInput): ClusterPlan {
  const n = Math.max(input.cluster.membersCount, 1);
  const rf = Math.min(Math.max(input.cluster.replicationFactor, 1), n);
  const base = assign(input, n);
  const targets: PlannedTarget[] = [...base.targets.values()]
    .map((t) => ({ ...t, owners: base.owners.get(t.id)! }))
    .sort((a, b) => cmp(a.jobName, b.jobName) || cmp(a.scrapeURL, b.scrapeURL) || cmp(a.id, b.id));
  const perMember = new Array<number>(n).fill(0);
  for (const t of targets) for (const m of t.owners) perMember[m]!++;
  const total = perMember.reduce((s, x) => s + x, 0);
  const imbalance = total === 0 ? 0 : Math.max(...perMember) / (total / n);
  const resizes: PlanResize[] = [];
  for (const size of [n - 1, n + 1]) {
    if (size < 1) continue;
    const other = assign({ ...input, cluster: { ...input.cluster, membersCount: size } }, size);
    let movedTargets = 0;
    let newAssignments = 0;
    for (const t of targets) {
      const o = other.owners.get(t.id);
      if (sameOwners(t.owners, o)) continue;
      movedTargets++;
      for (const m of o ?? []) if (!t.owners.includes(m)) newAssignments++;
    }
    resizes.push({ membersCount: size, movedTargets, newAssignments });
  }
  return {
    membersCount: n,
    replicationFactor: rf,
    targets,
    perMember,
    imbalance,
    droppedTargets: base.dropped,
    resizes,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The plan as the text `-promscrape.cluster.plan` prints. */
export function formatPlan(p: ClusterPlan): string {
  let out = `# cluster plan: membersCount=${p.membersCount} replicationFactor=${p.replicationFactor}\n`;
  out += `# targets: ${p.targets.length} (dropped by relabeling or invalid labels: ${p.droppedTargets})\n`;
  for (const t of p.targets) {
    out += `target job=${JSON.stringify(t.jobName)} instance=${JSON.stringify(t.instance)} url=${t.scrapeURL} members=${
      t.owners.join(",")
    }\n`;
  }
  p.perMember.forEach((c, m) => (out += `member ${m}: ${c} targets\n`));
  out += `imbalance (max/mean): ${p.imbalance.toFixed(3)}\n`;
  for (const r of p.resizes) {
    const pct = p.targets.length === 0 ? 0 : (100 * r.movedTargets) / p.targets.length;
    out += `with membersCount=${r.membersCount}: ${r.movedTargets} of ${p.targets.length} targets move (${
      pct.toFixed(1)
    }%), ${r.newAssignments} new scrape assignments\n`;
  }
  return out;
}

/**
 * Discovers every job's targets once: static_configs directly, each
 * `*_sd_configs` entry until its first update or `timeoutMs`, whichever is
 * first (a timed-out entry contributes nothing and is reported in `warnings`).
 * Discoverers are stopped before this returns.
 */
export async function resolvePlanInput(
  loaded: LoadedScrapeConfig,
  opts: {
    cluster: ClusterSettings;
    timeoutMs: number;
    sdCheckIntervalsMs?: Readonly<Record<string, number>>;
    log: { info(m: string): void; warn(m: string): void; error(m: string): void };
    kinds?: ReadonlyMap<string, DiscoveryKind>;
  },
): Promise<{ input: PlanInput; warnings: string[] }> {
  const kinds = opts.kinds ?? DISCOVERY_KINDS;
  const warnings: string[] = [];
  const jobs = await Promise.all(
    loaded.jobs.map(async (job): Promise<PlanJob> => {
      const targets: TargetLabels[] = [];
      for (const sc of job.staticConfigs) {
        for (const t of sc.targets) targets.push(Object.fromEntries([...sc.labels, ["__address__", t]]));
      }
      const found = await Promise.all(
        job.sdConfigs.map(async (sd) => {
          const kind = kinds.get(sd.key);
          if (kind === undefined) {
            throw new TypeError(`Cannot plan job ${JSON.stringify(job.jobName)}: unknown discovery ${sd.key}`);
          }
          const d = kind.create(sd.config, {
            baseDir: loaded.baseDir,
            checkIntervalMs: opts.sdCheckIntervalsMs?.[kind.checkIntervalFlag] ?? kind.defaultCheckIntervalMs,
            log: opts.log,
          });
          let timer: ReturnType<typeof setTimeout> | undefined;
          try {
            return await new Promise<readonly TargetLabels[]>((resolve) => {
              timer = setTimeout(() => {
                warnings.push(
                  `job ${JSON.stringify(job.jobName)} ${sd.name}: no targets discovered within ${opts.timeoutMs}ms`,
                );
                resolve([]);
              }, opts.timeoutMs);
              d.start(resolve);
            });
          } finally {
            clearTimeout(timer);
            d.stop();
          }
        }),
      );
      for (const list of found) targets.push(...list);
      return { job, targets };
    }),
  );
  return { input: { jobs, externalLabels: loaded.global.externalLabels, cluster: opts.cluster }, warnings };
}

/** How long `-promscrape.cluster.plan` waits for a non-static discoverer's first result. */
export const PLAN_DISCOVERY_TIMEOUT_MS = 30_000;

/**
 * The `-promscrape.cluster.plan` command: loads -promscrape.config with the
 * flag settings, discovers targets once, writes the plan to `out` and
 * returns the exit code (0, or 1 when the config cannot be loaded).
 */
export async function runClusterPlan(
  cfg: Config,
  out: (text: string) => void,
  log: { info(m: string): void; warn(m: string): void; error(m: string): void },
): Promise<number> {
  const p = cfg.promscrape;
  if (p.config === "") {
    log.error("-promscrape.cluster.plan needs -promscrape.config");
    return 1;
  }
  let loaded: LoadedScrapeConfig;
  try {
    loaded = await loadScrapeConfig(p.config, {
      strictParse: p.strictParse,
      env: process.env,
      flags: p,
      log,
    });
  } catch (err: unknown) {
    log.error((err as Error).message);
    return 1;
  }
  const c = p.cluster;
  const cluster: ClusterSettings = {
    membersCount: c.membersCount,
    memberNum: 0,
    replicationFactor: c.replicationFactor,
    name: c.name,
    keyRule: c.keyRule,
  };
  const { input, warnings } = await resolvePlanInput(loaded, {
    cluster,
    timeoutMs: PLAN_DISCOVERY_TIMEOUT_MS,
    sdCheckIntervalsMs: p.sdCheckIntervalsMs,
    log,
  });
  for (const w of warnings) log.warn(w);
  out(formatPlan(computePlan(input)));
  return 0;
}
