/**
 * The main-thread side of scraping: loads `-promscrape.config`, runs
 * service discovery per job, turns discovered targets into
 * {@linkcode ScrapeWork} and hands each target to the parse worker that
 * owns it (by hash of its id), which scrapes it on vmagent's schedule and
 * parses it in place (target_loop.ts). Nothing per scrape crosses a thread.
 *
 * A reload keeps unchanged targets running (same id = same URL and labels
 * and settings) and restarts only changed ones. Targets that disappear get
 * stale markers; on shutdown none are written, as vmagent does.
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import type { Logger } from "../log/logger.ts";
import type { Metric, Registry } from "../selfmetrics/registry.ts";
import type { ScrapeJob } from "./_config_job.ts";
import { type LoadedScrapeConfig, loadScrapeConfig } from "./config.ts";
import { DISCOVERY_KINDS } from "../discovery/registry.ts";
import type { Discoverer, TargetLabels } from "../discovery/types.ts";
import type { ScrapeTargetsUpdate, TargetRuntime } from "./target_loop.ts";
import {
  buildScrapeWork,
  type ClusterSettings,
  discoveredLabels,
  type DroppedTarget,
  isScrapeWork,
  type ScrapeWork,
} from "./targets.ts";

/** What /targets and /api/v1/targets show for one active target. */
export interface TargetStatus extends Omit<TargetRuntime, "id"> {
  readonly work: ScrapeWork;
  readonly discoveredLabels: readonly (readonly [string, string])[];
}

/** The threads that scrape: the parse workers, as the worker pool offers them (main.ts wires it in). */
export interface ScrapeDispatch {
  readonly workerCount: number;
  /** Sends a worker its added and removed targets (in order with earlier updates). */
  updateTargets(worker: number, u: ScrapeTargetsUpdate): void;
  /** The state of every target of every worker. */
  targetStatuses(): Promise<TargetRuntime[]>;
}

interface Running {
  work: ScrapeWork;
  worker: number;
}

interface JobState {
  job: ScrapeJob;
  /** Latest targets per discoverer (static configs under "static"). */
  groups: Map<string, readonly TargetLabels[]>;
  discoverers: Discoverer[];
  pendingFirstRound: Set<string>;
  dropped: DroppedTarget[];
}

function sameSettings(a: ScrapeWork, b: ScrapeWork): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Runs every scrape job of the config. */
export class Scraper {
  #cfg: Config;
  #pool: ScrapeDispatch;
  #log: Logger;
  #loaded: LoadedScrapeConfig | undefined;
  #jobs = new Map<string, JobState>();
  #running = new Map<string, Running>();
  /** Pre-relabel labels of active targets, for /api/v1/targets and /service-discovery. */
  #discovered = new Map<string, [string, string][]>();
  #stopping = false;
  #m: { reloads: Metric; reloadErrors: Metric };

  constructor(cfg: Config, pool: ScrapeDispatch, registry: Registry, log: Logger) {
    this.#cfg = cfg;
    this.#pool = pool;
    this.#log = log;
    this.#m = {
      reloads: registry.metric("vm_promscrape_config_reloads_total"),
      reloadErrors: registry.metric("vm_promscrape_config_reloads_errors_total"),
    };
  }

  /** The loaded config (for /config). */
  get config(): LoadedScrapeConfig | undefined {
    return this.#loaded;
  }

  /** True once every job finished its first discovery round (for /ready). */
  get ready(): boolean {
    for (const j of this.#jobs.values()) if (j.pendingFirstRound.size > 0) return false;
    return true;
  }

  /** Jobs whose first discovery round is still running. */
  get pendingJobs(): number {
    let n = 0;
    for (const j of this.#jobs.values()) if (j.pendingFirstRound.size > 0) n++;
    return n;
  }

  /** Active targets with their state from the workers, for the status pages. */
  async activeTargets(): Promise<TargetStatus[]> {
    const byId = new Map((await this.#pool.targetStatuses()).map((t) => [t.id, t]));
    const out: TargetStatus[] = [];
    for (const [id, r] of this.#running) {
      const t = byId.get(id);
      out.push({
        work: r.work,
        discoveredLabels: this.#discovered.get(id) ?? [],
        health: t?.health ?? "unknown",
        lastScrapeMs: t?.lastScrapeMs ?? 0,
        lastDurationMs: t?.lastDurationMs ?? 0,
        lastSamples: t?.lastSamples ?? 0,
        lastError: t?.lastError ?? "",
        scrapes: t?.scrapes ?? 0,
        failures: t?.failures ?? 0,
      });
    }
    return out;
  }

  droppedTargets(): DroppedTarget[] {
    return [...this.#jobs.values()].flatMap((j) => j.dropped);
  }

  #cluster(): ClusterSettings {
    const c = this.#cfg.promscrape.cluster;
    return {
      membersCount: c.membersCount,
      memberNum: c.memberNum,
      replicationFactor: c.replicationFactor,
      name: c.name,
      keyRule: c.keyRule,
    };
  }

  async #load(): Promise<LoadedScrapeConfig> {
    const p = this.#cfg.promscrape;
    return loadScrapeConfig(p.config, {
      strictParse: p.strictParse,
      env: process.env,
      flags: p,
      log: this.#log,
    });
  }

  /** Loads the config and starts every job; throws on a bad config. */
  async start(): Promise<void> {
    this.#loaded = await this.#load();
    this.#applyJobs(this.#loaded);
  }

  /** Re-reads the config; on error keeps the running one and logs. */
  async reload(): Promise<void> {
    if (this.#cfg.promscrape.config === "") return;
    try {
      const next = await this.#load();
      this.#m.reloads.inc();
      if (next.sourceText === this.#loaded?.sourceText) return;
      this.#loaded = next;
      this.#applyJobs(next);
      this.#log.info(
        `reloaded -promscrape.config=${JSON.stringify(this.#cfg.promscrape.config)}: ${next.jobs.length} jobs`,
      );
    } catch (err: unknown) {
      this.#m.reloadErrors.inc();
      this.#log.error(`cannot reload -promscrape.config; keeping the previous one: ${(err as Error).message}`);
    }
  }

  #applyJobs(loaded: LoadedScrapeConfig): void {
    const names = new Set(loaded.jobs.map((j) => j.jobName));
    for (const [name, st] of this.#jobs) {
      if (names.has(name)) continue;
      for (const d of st.discoverers) d.stop();
      this.#jobs.delete(name);
      this.#reconcile(name, []);
    }
    for (const job of loaded.jobs) {
      const old = this.#jobs.get(job.jobName);
      if (old !== undefined) { for (const d of old.discoverers) d.stop(); }
      const st: JobState = { job, groups: new Map(), discoverers: [], pendingFirstRound: new Set(), dropped: [] };
      this.#jobs.set(job.jobName, st);
      const statics: TargetLabels[] = [];
      for (const sc of job.staticConfigs) {
        for (const t of sc.targets) statics.push(Object.fromEntries([...sc.labels, ["__address__", t]]));
      }
      st.groups.set("static", statics);
      for (const sd of job.sdConfigs) {
        const kind = DISCOVERY_KINDS.get(sd.key);
        if (kind === undefined) throw new Error(`BUG: ${sd.key} passed config validation but has no discovery kind`);
        const interval = this.#cfg.promscrape.sdCheckIntervalsMs[kind.checkIntervalFlag] ?? kind.defaultCheckIntervalMs;
        const d = kind.create(sd.config, {
          baseDir: loaded.baseDir,
          checkIntervalMs: interval,
          log: this.#log.child(`${job.jobName}/${sd.name}`),
        });
        st.discoverers.push(d);
        st.pendingFirstRound.add(sd.name);
        d.start((targets) => {
          if (this.#jobs.get(job.jobName) !== st) return;
          st.groups.set(sd.name, targets);
          st.pendingFirstRound.delete(sd.name);
          this.#reconcileJob(st);
        });
      }
      this.#reconcileJob(st);
    }
  }

  #reconcileJob(st: JobState): void {
    const works: ScrapeWork[] = [];
    const dropped: DroppedTarget[] = [];
    const seen = new Set<string>();
    const c = this.#cfg.promscrape.cluster;
    const external = this.#loaded?.global.externalLabels ?? [];
    const ctx = {
      job: st.job,
      externalLabels: external,
      // -promscrape.cluster.memberLabel adds <label>=<memberNum> to every scraped series.
      seriesLabels: c.memberLabel === "" ? external : [...external, [c.memberLabel, c.memberNumRaw] as const],
      cluster: this.#cluster(),
      dropOriginalLabels: this.#cfg.promscrape.dropOriginalLabels,
    };
    for (const targets of st.groups.values()) {
      for (const t of targets) {
        const r = buildScrapeWork(ctx, t);
        if (!isScrapeWork(r)) {
          if (dropped.length < this.#cfg.promscrape.maxDroppedTargets) dropped.push(r);
          continue;
        }
        if (seen.has(r.id)) {
          if (!this.#cfg.promscrape.suppressDuplicateScrapeTargetErrors) {
            this.#log.error(
              `skipping duplicate scrape target with identical labels; endpoint=${r.scrapeURL}; make sure service discovery and relabeling produce unique label sets`,
            );
          }
          continue;
        }
        seen.add(r.id);
        works.push(r);
        if (!this.#cfg.promscrape.dropOriginalLabels) this.#discovered.set(r.id, discoveredLabels(st.job, t));
      }
    }
    st.dropped = dropped;
    this.#reconcile(st.job.jobName, works);
  }

  /** Starts new targets of `jobName`, stops removed ones, keeps unchanged ones. */
  #reconcile(jobName: string, works: ScrapeWork[]): void {
    if (this.#stopping) return;
    const want = new Map(works.map((w) => [w.id, w]));
    const updates = new Map<number, ScrapeTargetsUpdate>();
    const upd = (i: number) => {
      let u = updates.get(i);
      if (u === undefined) updates.set(i, u = { add: [], remove: [] });
      return u;
    };
    const now = Date.now();
    for (const [id, r] of this.#running) {
      if (r.work.jobName !== jobName) continue;
      const w = want.get(id);
      if (w !== undefined && sameSettings(w, r.work)) {
        want.delete(id);
        continue;
      }
      this.#running.delete(id);
      if (w === undefined) this.#discovered.delete(id);
      upd(r.worker).remove.push({ id, staleTs: w === undefined ? now : null });
    }
    for (const w of want.values()) {
      const worker = this.#workerOf(w.id);
      upd(worker).add.push(w);
      this.#running.set(w.id, { work: w, worker });
    }
    // Removals come first in each update (stale markers), then the new targets start.
    for (const [worker, u] of updates) this.#pool.updateTargets(worker, u);
  }

  #workerOf(id: string): number {
    return Number((Bun.hash.xxHash64(id) as bigint) % BigInt(this.#pool.workerCount));
  }

  /** Stops discovery and scraping; writes no stale markers (as vmagent). Idempotent. */
  stop(): void {
    this.#stopping = true;
    for (const j of this.#jobs.values()) for (const d of j.discoverers) d.stop();
  }
}
