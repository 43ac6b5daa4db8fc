/**
 * The main-thread scraper: loads `-promscrape.config`, runs service
 * discovery per job, turns discovered targets into {@linkcode ScrapeWork},
 * and scrapes each target on vmagent's schedule (its hash phase, fixed-step
 * timestamps). Bodies are handed to the parse worker that owns the target.
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
import { firstScrapeDelayMs, ScrapeClock } from "../sharding/phase.ts";
import { BodyType } from "../protocols/_shared/protocol.ts";
import type { WorkerPool } from "../workers/pool.ts";
import type { ScrapeTargetsUpdate } from "../workers/_scrape_handler.ts";
import type { ScrapeJob } from "./_config_job.ts";
import { type LoadedScrapeConfig, loadScrapeConfig } from "./config.ts";
import { DISCOVERY_KINDS } from "./discovery/registry.ts";
import type { Discoverer, TargetLabels } from "./discovery/types.ts";
import type { ScrapeStats } from "./scrape_process.ts";
import { ScrapeError, scrapeTarget } from "./scrape_client.ts";
import { buildScrapeWork, type ClusterSettings, discoveredLabels, type DroppedTarget, isScrapeWork, type ScrapeWork } from "./targets.ts";

/** What /targets and /api/v1/targets show for one active target. */
export interface TargetStatus {
  readonly work: ScrapeWork;
  readonly discoveredLabels: readonly (readonly [string, string])[];
  health: "up" | "down" | "unknown";
  lastScrapeMs: number;
  lastDurationMs: number;
  lastSamples: number;
  lastError: string;
  scrapes: number;
  failures: number;
}

interface Running {
  status: TargetStatus;
  timer: ReturnType<typeof setTimeout> | undefined;
  stopped: boolean;
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
  #pool: WorkerPool;
  #log: Logger;
  #loaded: LoadedScrapeConfig | undefined;
  #jobs = new Map<string, JobState>();
  #running = new Map<string, Running>();
  /** Pre-relabel labels of active targets, for /api/v1/targets and /service-discovery. */
  #discovered = new Map<string, [string, string][]>();
  #stopping = false;
  #m: { scrapes: Metric; failed: Metric; timedOut: Metric; durationSum: Metric; durationCount: Metric; sizeSum: Metric; staleMarkers: Metric; reloads: Metric; reloadErrors: Metric };

  constructor(cfg: Config, pool: WorkerPool, registry: Registry, log: Logger) {
    this.#cfg = cfg;
    this.#pool = pool;
    this.#log = log;
    this.#m = {
      scrapes: registry.metric("vm_promscrape_scrapes_total"),
      failed: registry.metric("vm_promscrape_scrapes_failed_total"),
      timedOut: registry.metric("vm_promscrape_scrapes_timed_out_total"),
      durationSum: registry.metric("vm_promscrape_scrape_duration_seconds_sum"),
      durationCount: registry.metric("vm_promscrape_scrape_duration_seconds_count"),
      sizeSum: registry.metric("vm_promscrape_scrape_response_size_bytes_sum"),
      staleMarkers: registry.metric("vm_promscrape_stale_samples_created_total"),
      reloads: registry.metric("vm_promscrape_config_reloads_total"),
      reloadErrors: registry.metric("vm_promscrape_config_reloads_errors_total"),
    };
    registry.gauge("vm_promscrape_targets", { type: "all", status: "up" }, () => this.#count("up"));
    registry.gauge("vm_promscrape_targets", { type: "all", status: "down" }, () => this.#count("down"));
    registry.gauge("vm_promscrape_active_scrapers", undefined, () => this.#running.size);
  }

  #count(h: "up" | "down"): number {
    let n = 0;
    for (const r of this.#running.values()) if (r.status.health === h) n++;
    return n;
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

  /** Active targets by job, for the status pages. */
  activeTargets(): TargetStatus[] {
    return [...this.#running.values()].map((r) => r.status);
  }

  droppedTargets(): DroppedTarget[] {
    return [...this.#jobs.values()].flatMap((j) => j.dropped);
  }

  #cluster(): ClusterSettings {
    const c = this.#cfg.promscrape.cluster;
    return { membersCount: c.membersCount, memberNum: c.memberNum, replicationFactor: c.replicationFactor, name: c.name, keyRule: c.keyRule };
  }

  async #load(): Promise<LoadedScrapeConfig> {
    const p = this.#cfg.promscrape;
    return loadScrapeConfig(p.config, {
      strictParse: p.strictParse,
      env: process.env,
      flags: {
        maxScrapeSize: p.maxScrapeSize,
        seriesLimitPerTarget: p.seriesLimitPerTarget,
        noStaleMarkers: p.noStaleMarkers,
        streamParse: p.streamParse,
        disableCompression: p.disableCompression,
        disableKeepAlive: p.disableKeepAlive,
      },
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
      this.#log.info(`reloaded -promscrape.config=${JSON.stringify(this.#cfg.promscrape.config)}: ${next.jobs.length} jobs`);
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
      if (old !== undefined) for (const d of old.discoverers) d.stop();
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
        const d = kind.create(sd.config, { baseDir: loaded.baseDir, checkIntervalMs: interval, log: this.#log.child(`${job.jobName}/${sd.name}`) });
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
            this.#log.error(`skipping duplicate scrape target with identical labels; endpoint=${r.scrapeURL}; make sure service discovery and relabeling produce unique label sets`);
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
    const want = new Map(works.map((w) => [w.id, w]));
    const removeByWorker = new Map<number, ScrapeTargetsUpdate>();
    const addByWorker = new Map<number, ScrapeTargetsUpdate>();
    const upd = (m: Map<number, ScrapeTargetsUpdate>, i: number) => {
      let u = m.get(i);
      if (u === undefined) m.set(i, (u = { add: [], remove: [] }));
      return u;
    };
    const now = Date.now();
    for (const [id, r] of this.#running) {
      if (r.status.work.jobName !== jobName) continue;
      const w = want.get(id);
      if (w !== undefined && sameSettings(w, r.status.work)) {
        want.delete(id);
        continue;
      }
      this.#stopTarget(r);
      this.#running.delete(id);
      if (w === undefined) this.#discovered.delete(id);
      upd(removeByWorker, r.worker).remove.push({ id, staleTs: w === undefined ? now : null });
    }
    for (const w of want.values()) {
      const worker = this.#workerOf(w.id);
      upd(addByWorker, worker).add.push(w);
      const r: Running = {
        status: { work: w, discoveredLabels: this.#discovered.get(w.id) ?? [], health: "unknown", lastScrapeMs: 0, lastDurationMs: 0, lastSamples: 0, lastError: "", scrapes: 0, failures: 0 },
        timer: undefined,
        stopped: false,
        worker,
      };
      this.#running.set(w.id, r);
    }
    const send = async (m: Map<number, ScrapeTargetsUpdate>) => {
      for (const [worker, u] of m) {
        const body = new TextEncoder().encode(JSON.stringify(u));
        await this.#pool.pushTo(worker, BodyType.ScrapeTargets, "", body);
      }
    };
    // Removals first (stale markers), then registrations, then the first scrapes.
    void send(removeByWorker)
      .then(() => send(addByWorker))
      .then(() => {
        for (const w of want.values()) {
          const r = this.#running.get(w.id);
          if (r !== undefined && !r.stopped) this.#schedule(r);
        }
      });
  }

  #workerOf(id: string): number {
    return Number((Bun.hash.xxHash64(id) as bigint) % BigInt(this.#pool.workerCount));
  }

  #stopTarget(r: Running): void {
    r.stopped = true;
    if (r.timer !== undefined) clearTimeout(r.timer);
  }

  #schedule(r: Running): void {
    const w = r.status.work;
    const delay = firstScrapeDelayMs(Date.now(), w.intervalMs, w.phaseNs, { alignIntervalMs: w.alignIntervalMs, offsetMs: w.offsetMs });
    const first = Date.now() + delay;
    let clock: ScrapeClock | undefined;
    const tick = async () => {
      if (r.stopped || this.#stopping) return;
      const tickMs = Date.now();
      clock ??= new ScrapeClock(tickMs, w.intervalMs);
      const ts = clock.next(tickMs);
      // One scrape at a time per target, as vmagent's loop: the next tick waits for this one.
      await this.#scrapeOnce(r, ts);
      if (r.stopped || this.#stopping) return;
      // The next tick on the grid of the first one, so timer jitter does not accumulate;
      // ticks missed while a slow scrape ran are skipped, like Go's time.Ticker drops them.
      const now = Date.now();
      const next = first + Math.max(1, Math.ceil((now - first + 1) / w.intervalMs)) * w.intervalMs;
      r.timer = setTimeout(() => void tick(), next - now);
    };
    r.timer = setTimeout(() => void tick(), delay);
  }

  async #scrapeOnce(r: Running, ts: number): Promise<void> {
    const w = r.status.work;
    const start = performance.now();
    let body: Uint8Array | null = new Uint8Array(0) as Uint8Array;
    let error: string | null = null;
    let streamed = false;
    let size = 0;
    const base = `id=${encodeURIComponent(w.id)}&ts=${ts}`;
    // Big responses go to the worker in parts of whole lines (vmagent's stream parsing);
    // automatic only without sample_limit, as in vmagent.
    const sink = async (part: Uint8Array, kind: "first" | "mid" | "last") => {
      if (kind === "last") return; // sent below, with the duration
      streamed = true;
      size += part.byteLength;
      await this.#pool.pushToNoReply(r.worker, BodyType.Scrape, `${base}&part=${kind}`, part);
    };
    let lastPart: Uint8Array = new Uint8Array(0);
    try {
      body = await scrapeTarget(w, {
        sink: async (part, kind) => {
          if (kind === "last") lastPart = part;
          await sink(part, kind);
        },
        streamThreshold: w.sampleLimit > 0 ? 0 : this.#cfg.promscrape.minResponseSizeForStreamParse,
      });
      body ??= lastPart;
    } catch (err: unknown) {
      error = err instanceof ScrapeError ? err.message : String(err);
      if (error.includes("timeout after")) this.#m.timedOut.inc();
      body = new Uint8Array(0);
    }
    const durationMs = performance.now() - start;
    if (r.stopped || this.#stopping) return;
    this.#m.scrapes.inc();
    this.#m.durationSum.inc(durationMs / 1000);
    this.#m.durationCount.inc();
    this.#m.sizeSum.inc(size + body.byteLength);
    let params = `${base}&d=${durationMs}`;
    if (streamed) params += "&part=last";
    if (error !== null) params += `&err=${encodeURIComponent(error)}`;
    const res = await this.#pool.pushTo(r.worker, BodyType.Scrape, params, body);
    const st = r.status;
    st.scrapes++;
    st.lastScrapeMs = ts;
    st.lastDurationMs = durationMs;
    if (res.status !== 200) {
      st.health = "down";
      st.failures++;
      st.lastError = `cannot queue scraped data: ${res.message ?? res.status}`;
      this.#m.failed.inc();
      return;
    }
    const stats = JSON.parse(res.message ?? "null") as ScrapeStats | null;
    if (stats === null) return;
    st.health = stats.up ? "up" : "down";
    st.lastSamples = stats.samplesScraped;
    st.lastError = stats.error;
    this.#m.staleMarkers.inc(stats.staleMarkers);
    if (!stats.up) {
      st.failures++;
      this.#m.failed.inc();
      if (!this.#cfg.promscrape.suppressScrapeErrors) this.#log.warn(`error when scraping ${JSON.stringify(w.scrapeURL)} (job ${JSON.stringify(w.jobName)}): ${stats.error}`);
    }
  }

  /** Stops discovery and scraping; writes no stale markers (as vmagent). Idempotent. */
  stop(): void {
    this.#stopping = true;
    for (const j of this.#jobs.values()) for (const d of j.discoverers) d.stop();
    for (const r of this.#running.values()) this.#stopTarget(r);
  }
}
