/**
 * What a parse worker does with one scrape of one target (lib/promscrape/
 * scrapework.go in vmagent): parse the exposition, merge target labels
 * (`honor_labels`), apply `metric_relabel_configs`, enforce `sample_limit`
 * and `series_limit`, add external labels, write the series, emit stale
 * markers for series that vanished, and add the auto-generated series
 * (`up`, `scrape_duration_seconds`, …).
 *
 * Bytes to bytes. A row is known by the 64-bit hash of its key in vmagent's
 * form (_row_hash.ts); the previous scrape's rows are kept as hashes and
 * front-coded raw keys, to count `scrape_series_added` and to rebuild the
 * labels of series that vanish (_scrape_diff.ts, which also says how this
 * follows vmagent). When a scrape lists the same series as the previous one,
 * in the same order (the usual case), nothing but the hashes is compared and
 * nothing is stored. A scrape over `sample_limit` writes nothing but stale
 * markers for every previous row (none if it lists the same rows again) and
 * its auto series, and its rows become the previous ones, as in vmagent: the
 * next good scrape marks those that vanished stale and does not count them
 * as added. A failed scrape marks every previous row stale and forgets them.
 *
 * Without `metric_relabel_configs` and without label clashes, labels
 * go from the response bytes straight into the block, followed by the
 * target's labels encoded once per target; otherwise they go through the
 * string path, cached per target and raw key in the writer's label cache.
 *
 * State per target lives in the worker that owns the target (the main
 * thread always routes a target to the same worker).
 *
 * Drover vs vmagent on HA gaps (vmagent issue 10196): vmagent stamps the
 * stale markers of a failed scrape with the wall clock, so a failing
 * replica's NaN (and its `up=0`) can carry the largest timestamp of a dedup
 * interval and win over a healthy replica's sample. Drover stamps what a
 * failed scrape writes (stale markers and auto series) with the first
 * millisecond of the dedup interval that holds the scheduled scrape time,
 * assuming `-dedup.minScrapeInterval` equals the scrape interval as
 * recommended: VictoriaMetrics' buckets are `(k·D − D, k·D]`, so that is
 * `k·D − D + 1`. It is still later than the replica's previous sample (one
 * interval earlier) and never later than a healthy replica's sample in the
 * same interval, which therefore wins. Without HA the markers come at most
 * one interval early. Stale markers for series that vanish from a successful
 * scrape keep the scrape timestamp: every replica sees them vanish.
 *
 * @module
 */

import { LabelEncoder } from "../protocols/_shared/label_encoder.ts";
import type { SeriesWriter } from "../protocols/_shared/series_writer.ts";
import { PromLineScanner } from "../protocols/prometheus/parse.ts";
import {
  applyRelabeling,
  type CompiledRelabelRules,
  finalizeLabels,
  Labels,
  parseRelabelConfigs,
} from "../relabel/apply.ts";
import { AutoSeries, type ScrapeStats } from "./_auto_series.ts";
import { hashHi } from "./_series_set.ts";
import { rowHash } from "./_row_hash.ts";
import { PreviousScrape, type ScrapeRun, type StaleWriter } from "./_scrape_diff.ts";
import { SeriesLimit } from "./_series_limit.ts";
import type { ScrapeWork } from "./targets.ts";

export type { ScrapeStats };

/** Reports a skipped line: reason and the line. */
export type InvalidLine = (reason: string, line: string) => void;

/**
 * The first millisecond of the deduplication interval `(k·D − D, k·D]` that
 * contains `ts`, for D = the scrape interval (see the module comment).
 */
export function dedupIntervalStart(ts: number, intervalMs: number): number {
  const k = Math.ceil(ts / intervalMs);
  return k * intervalMs - intervalMs + 1;
}

// Worker-wide scratch: parsing is synchronous and single-threaded, so one scrape owns these at a time.
const scanner = new PromLineScanner();
const staleScanner = new PromLineScanner();
const scratch = new Labels(32);
/** The current line's labels but the name and the target's, encoded (the bytes-to-bytes path). */
const lineLabels = new LabelEncoder();
let staleLine = new Uint8Array(256);
const noInvalid: InvalidLine = () => {};

/** Per-target scrape state inside a parse worker. */
export class TargetScrapeState {
  readonly work: ScrapeWork;
  #metricRelabel: CompiledRelabelRules | null;
  /** Target labels and external labels as parallel arrays (the hot loop avoids tuple iteration). */
  #targetNames: string[];
  #targetValues: string[];
  #extNames: string[];
  #extValues: string[];
  /** Encoded labels every scraped series gets after its own: target labels, then external labels they lack. */
  #tail: Uint8Array;
  #tailCount: number;
  /**
   * Label names a scraped label must not have for the fast path (target and
   * external label names, `__name__`); #reservedFilter has bit (first byte & 31)
   * set at index length for each, a cheap first test.
   */
  #reserved: Set<string>;
  #reservedFilter = new Uint32Array(64);
  /** The auto series (`up`, `scrape_*`). */
  #auto: AutoSeries;
  /** Label-cache context of the string path: labels there depend on this target. */
  #context: string;
  /** The previous scrape's rows. */
  #prev: PreviousScrape;
  #seriesLimit: SeriesLimit;
  /** The stream-parsed scrape in progress. */
  #stream: ScrapeRun | null = null;
  /** Rows kept (after relabeling) in the current parse. */
  #kept = 0;

  constructor(work: ScrapeWork) {
    this.work = work;
    this.#metricRelabel = work.metricRelabelConfigsRaw === null || work.metricRelabelConfigsRaw === undefined
      ? null
      : parseRelabelConfigs(work.metricRelabelConfigsRaw, "metric_relabel_configs");
    this.#targetNames = work.labels.map((p) => p[0]);
    this.#targetValues = work.labels.map((p) => p[1]);
    this.#extNames = work.externalLabels.map((p) => p[0]);
    this.#extValues = work.externalLabels.map((p) => p[1]);
    const enc = new LabelEncoder();
    for (let t = 0; t < this.#targetNames.length; t++) enc.add(this.#targetNames[t]!, this.#targetValues[t]!);
    for (let e = 0; e < this.#extNames.length; e++) {
      if (!this.#targetNames.includes(this.#extNames[e]!)) enc.add(this.#extNames[e]!, this.#extValues[e]!);
    }
    this.#tail = enc.buf.slice(0, enc.length);
    this.#tailCount = enc.count;
    this.#reserved = new Set(["__name__", ...this.#targetNames, ...this.#extNames]);
    for (const name of this.#reserved) {
      const b = new TextEncoder().encode(name);
      if (b.length < 64) this.#reservedFilter[b.length]! |= 1 << (b[0]! & 31);
    }
    this.#context = `scrape\u0000${work.id}`;
    this.#auto = new AutoSeries(work, this.#tail, this.#tailCount);
    this.#seriesLimit = new SeriesLimit(work.seriesLimit);
    this.#prev = new PreviousScrape(!work.noStaleMarkers);
  }

  /** series_limit: samples dropped because their series was over the limit. */
  get seriesLimitDropped(): number {
    return this.#seriesLimit.dropped;
  }

  /** Adds target labels to a scraped series per `honor_labels`. */
  #mergeTargetLabels(l: Labels): void {
    const honor = this.work.honorLabels;
    const names = this.#targetNames;
    const values = this.#targetValues;
    for (let t = 0; t < names.length; t++) {
      const name = names[t]!;
      const value = values[t]!;
      const i = l.indexOf(name);
      if (i < 0) {
        l.push(name, value);
      } else if (!honor) {
        // Prometheus/vmagent: the scraped label becomes exported_<name>; the target's value wins.
        const scraped = l.values[i]!;
        l.values[i] = value;
        if (scraped !== "" && l.indexOf(`exported_${name}`) < 0) l.push(`exported_${name}`, scraped);
      }
    }
  }

  #addExternal(l: Labels): void {
    const names = this.#extNames;
    for (let e = 0; e < names.length; e++) if (l.indexOf(names[e]!) < 0) l.push(names[e]!, this.#extValues[e]!);
  }

  /** Whether a label of the current line has a reserved name (then the string path merges them). */
  #clashes(src: Uint8Array, sc: PromLineScanner): boolean {
    const filter = this.#reservedFilter;
    for (let i = 0; i < sc.nLabels; i++) {
      const ns = sc.nameStart[i]!;
      const len = sc.nameEnd[i]! - ns;
      if (len < 64 && (filter[len]! & (1 << (src[ns]! & 31))) !== 0 && this.#reserved.has(sc.labelName(i))) return true;
    }
    return false;
  }

  /**
   * Writes the current line of `sc` (its series: hash lo/hi; a stale marker
   * when `stale`); counts it in #kept unless relabeling drops it.
   */
  #writeLine(
    src: Uint8Array,
    sc: PromLineScanner,
    lo: number,
    hi: number,
    value: number,
    ts: number,
    stale: boolean,
    w: SeriesWriter,
  ): void {
    if (this.#metricRelabel === null && w.rulesFree && !this.#clashes(src, sc)) {
      // samples_post_metric_relabeling counts before series_limit, as in vmagent.
      this.#kept++;
      if (!this.#seriesLimit.allows(lo, hi)) return;
      const enc = lineLabels;
      enc.reset();
      for (let i = 0; i < sc.nLabels; i++) {
        const vs = sc.valueStart[i]!;
        const ve = sc.valueEnd[i]!;
        if (sc.escaped && src.subarray(vs, ve).includes(0x5c)) enc.add(sc.labelName(i), sc.labelValue(i));
        else enc.addRanges(src, sc.nameStart[i]!, sc.nameEnd[i]!, src, vs, ve);
      }
      w.writeNamed(src, sc.lineStart, sc.metricEnd, enc, value, ts, stale, this.#tail, this.#tailCount);
      return;
    }
    // The string path, cached by raw key for this target (its labels depend on nothing else).
    const a = sc.lineStart;
    const e = sc.keyEnd;
    let id = w.find(lo, src, a, e);
    if (id < 0) {
      const l = scratch;
      l.reset();
      l.push("__name__", sc.metricName());
      for (let i = 0; i < sc.nLabels; i++) l.push(sc.labelName(i), sc.labelValue(i));
      this.#mergeTargetLabels(l);
      let keep = true;
      if (this.#metricRelabel !== null) {
        keep = applyRelabeling(this.#metricRelabel, l);
        if (keep) finalizeLabels(l);
      }
      w.begin();
      if (keep && l.length > 0) {
        this.#addExternal(l);
        for (let i = 0; i < l.length; i++) w.label(l.names[i]!, l.values[i]!);
      }
      id = w.store(lo, src, a, e);
    }
    if (w.isDropped(id)) return;
    this.#kept++;
    if (!this.#seriesLimit.allows(lo, hi)) return;
    if (stale) w.writeStale(id, ts);
    else w.writeSample(id, value, ts);
  }

  #autoSeries(w: SeriesWriter, ts: number, durationMs: number, s: ScrapeStats): void {
    this.#auto.write(w, ts, durationMs, s, this.#seriesLimit.size, this.#seriesLimit.dropped);
  }

  /** Starts a scrape's bookkeeping (series_limit window too); `own` gives it its own row lists (streams). */
  #begin(ts: number, own = false): ScrapeRun {
    this.#seriesLimit.startScrape(ts);
    return this.#prev.begin(ts, own);
  }

  /** Parses `body` (whole lines) into the run and `w`; returns the rows parsed. */
  #parse(body: Uint8Array, run: ScrapeRun, w: SeriesWriter, invalidLine: InvalidLine): number {
    const sc = scanner;
    sc.reset(body);
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const honor = this.work.honorTimestamps;
    w.setExtraLabels([]);
    w.setContext(this.#context);
    this.#kept = 0;
    let rows = 0;
    while (sc.next(invalidLine)) {
      rows++;
      const lo = rowHash(body, dv, sc);
      const hi = hashHi;
      this.#prev.row(run, lo, hi, body, sc.lineStart, sc.keyEnd);
      this.#writeLine(body, sc, lo, hi, sc.value, !honor || sc.timestamp === 0 ? run.ts : sc.timestamp, false, w);
    }
    sc.reset(EMPTY);
    return rows;
  }

  /** Writes a stale marker for the series of raw key `key[0, len)`. */
  #writeStaleKey(key: Uint8Array, len: number, lo: number, hi: number, ts: number, w: SeriesWriter): void {
    if (staleLine.length < len + 2) staleLine = new Uint8Array(len * 2 + 2);
    staleLine.set(key.subarray(0, len));
    staleLine[len] = 0x20;
    staleLine[len + 1] = 0x30;
    const sc = staleScanner;
    sc.reset(staleLine, 0, len + 2);
    if (sc.next(noInvalid)) this.#writeLine(staleLine, sc, lo, hi, 0, ts, true, w);
    sc.reset(EMPTY);
  }

  /** Writes stale markers at `ts` for the previous scrape's rows it is given. */
  #staleWriter(w: SeriesWriter, ts: number): StaleWriter {
    w.setExtraLabels([]);
    w.setContext(this.#context);
    return (key, len, lo, hi) => this.#writeStaleKey(key, len, lo, hi, ts, w);
  }

  /** Ends a scrape: stale markers for vanished series, then the auto series. */
  #end(run: ScrapeRun, durationMs: number, w: SeriesWriter): ScrapeStats {
    if (!this.#prev.same(run)) {
      // Something changed: stale markers for the previous series this scrape lacks, then remember this one.
      run.stats.staleMarkers = this.#prev.remember(run, true, this.#staleWriter(w, run.ts));
    }
    run.rows.length = 0;
    this.#autoSeries(w, run.ts, durationMs, run.stats);
    return run.stats;
  }

  /** Forgets the previous scrape after stale markers for it. */
  #forget(w: SeriesWriter, ts: number): number {
    return this.#prev.forget(this.#staleWriter(w, ts));
  }

  /** A successful scrape: `body` is the (decompressed) response, `ts` the scrape timestamp. */
  scraped(body: Uint8Array, ts: number, durationMs: number, w: SeriesWriter, invalidLine: InvalidLine): ScrapeStats {
    const limit = this.work.sampleLimit;
    if (limit <= 0) {
      const run = this.#begin(ts);
      run.stats.samplesScraped = this.#parse(body, run, w, invalidLine);
      run.stats.samplesPostRelabel = this.#kept;
      return this.#end(run, durationMs, w);
    }
    // sample_limit needs the count first: write, and roll the block back if the limit is exceeded.
    const b = w.builder;
    w.hold(true);
    const mark = b.mark();
    const rowsBefore = w.rows;
    const seenBefore = this.#seriesLimit.size;
    try {
      const run = this.#begin(ts);
      const scraped = this.#parse(body, run, w, invalidLine);
      const kept = this.#kept;
      if (kept > limit) {
        // As vmagent: the whole scrape is dropped, up=0, every previous row goes stale (unless this scrape lists
        // the same rows again), and this scrape's rows are the previous ones for the next scrape.
        b.restore(mark);
        w.unwrite(w.rows - rowsBefore);
        if (this.#seriesLimit.size !== seenBefore) this.#seriesLimit.reset();
        const stats: ScrapeStats = {
          up: false,
          samplesScraped: scraped,
          samplesPostRelabel: kept,
          seriesAdded: 0,
          staleMarkers: this.#prev.same(run) ? 0 : this.#prev.remember(run, false, this.#staleWriter(w, ts)),
          error: `the response from ${
            JSON.stringify(this.work.scrapeURL)
          } exceeds sample_limit=${limit}; either reduce the sample count for the target or increase sample_limit`,
        };
        run.rows.length = 0;
        this.#autoSeries(w, ts, durationMs, stats);
        return stats;
      }
      run.stats.samplesScraped = scraped;
      run.stats.samplesPostRelabel = kept;
      return this.#end(run, durationMs, w);
    } finally {
      w.hold(false);
    }
  }

  /**
   * Stream parsing (big responses, `stream_parse`, `-promscrape.streamParse`):
   * the body arrives as blocks of whole lines and each block is written at
   * once, so memory stays bounded. As in vmagent, `sample_limit` cannot be
   * enforced in this mode (samples already sent cannot be recalled).
   */
  streamBegin(ts: number): void {
    this.#stream = this.#begin(ts, true);
  }

  streamChunk(body: Uint8Array, w: SeriesWriter, invalidLine: InvalidLine): void {
    // A target re-registered mid-stream has lost its begin: start over at this chunk.
    const run = (this.#stream ??= this.#begin(Date.now(), true));
    run.stats.samplesScraped += this.#parse(body, run, w, invalidLine);
    run.stats.samplesPostRelabel += this.#kept;
  }

  /** Drops a stream that failed midway (the caller then reports the failure). */
  streamAbort(): void {
    this.#stream = null;
  }

  streamEnd(durationMs: number, w: SeriesWriter): ScrapeStats {
    const run = this.#stream ?? this.#begin(Date.now(), true);
    this.#stream = null;
    return this.#end(run, durationMs, w);
  }

  /**
   * A failed scrape: up=0 and stale markers for the previous series, stamped
   * with the start of the dedup interval of the scheduled timestamp `ts`
   * (see the module comment).
   */
  failed(error: string, ts: number, durationMs: number, w: SeriesWriter): ScrapeStats {
    const stats: ScrapeStats = {
      up: false,
      samplesScraped: 0,
      samplesPostRelabel: 0,
      seriesAdded: 0,
      staleMarkers: 0,
      error,
    };
    const at = dedupIntervalStart(ts, this.work.intervalMs);
    stats.staleMarkers = this.#forget(w, at);
    this.#autoSeries(w, at, durationMs, stats);
    return stats;
  }

  /**
   * The target went away (not on shutdown): stale markers for every row of
   * its previous scrape and, as vmagent 1.79.5 writes them, for `up`,
   * `scrape_duration_seconds`, `scrape_samples_scraped`,
   * `scrape_samples_post_metric_relabeling` and `scrape_series_added`.
   */
  removed(ts: number, w: SeriesWriter): number {
    if (this.work.noStaleMarkers) return 0;
    const n = this.#forget(w, ts);
    return n + this.#auto.writeStale(w, ts);
  }
}

const EMPTY = new Uint8Array(0);
