/**
 * What a parse worker does with one scrape of one target (lib/promscrape/
 * scrapework.go in vmagent): parse the exposition, merge target labels
 * (`honor_labels`), apply `metric_relabel_configs`, enforce `sample_limit`
 * and `series_limit`, add external labels, write the series, emit stale
 * markers for series that vanished, and add the auto-generated series
 * (`up`, `scrape_duration_seconds`, …).
 *
 * Bytes to bytes. A series is known by its raw key, `name{labels}` as the
 * target sent it: its 64-bit hash tells whether the series was in the
 * previous scrape (`scrape_series_added` counts rows that were not, before
 * relabeling, as vmagent does), and the keys of the last scrape are kept
 * front-coded to rebuild the labels of series that vanish (_series_set.ts).
 * When a scrape lists the same series as the previous one, in the same
 * order (the usual case), nothing but the hashes is compared and nothing is
 * stored. Without `metric_relabel_configs` and without label clashes, labels
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
import { hash64, hashHi, HashList, HashSet64, KeyStore } from "./_series_set.ts";
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
const sharedRows = new HashList();
const sharedPrevSet = new HashSet64();
const currentSet = new HashSet64();
const emitted = new HashSet64();
let staleLine = new Uint8Array(256);
const noInvalid: InvalidLine = () => {};

/** Bookkeeping of one scrape (or of one stream-parsed scrape across its parts). */
interface ScrapeRun {
  ts: number;
  /** Rows so far, and whether each was the previous scrape's row at the same position. */
  n: number;
  identical: boolean;
  /** Keys of this scrape, once it differs from the previous one (null before, and without stale markers). */
  keys: KeyStore | null;
  /** Hashes of this scrape's rows, and the previous scrape's as a set once they differ. A stream-parsed scrape
   * has its own (other scrapes run between its parts); the others share the worker's. */
  rows: HashList;
  prevSet: HashSet64;
  stats: ScrapeStats;
}

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
  /** Hashes and keys of the last successful scrape's rows, in order (null: none yet). */
  #prev: HashList | null = null;
  #prevKeys: KeyStore | null = null;
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
    const run: ScrapeRun = {
      ts,
      n: 0,
      identical: this.#prev !== null,
      keys: null,
      rows: own ? new HashList() : sharedRows,
      prevSet: own ? new HashSet64() : sharedPrevSet,
      stats: { up: true, samplesScraped: 0, samplesPostRelabel: 0, seriesAdded: 0, staleMarkers: 0, error: "" },
    };
    run.rows.length = 0;
    // Nothing to compare with: every row is new.
    if (!run.identical) this.#diverge(run, 0);
    return run;
  }

  /** The scrape stops matching the previous one at row `i`: index the previous rows and start keeping keys. */
  #diverge(run: ScrapeRun, i: number): void {
    run.identical = false;
    const prev = this.#prev;
    const prevSet = run.prevSet;
    prevSet.reset(prev?.length ?? 0);
    if (prev !== null) { for (let k = 0; k < prev.length; k++) prevSet.add(prev.lo[k]!, prev.hi[k]!); }
    if (!this.work.noStaleMarkers) {
      run.keys = this.#prevKeys !== null && i > 0 ? this.#prevKeys.prefix(i) : new KeyStore();
    }
  }

  /** Parses `body` (whole lines) into the run and `w`; returns the rows parsed. */
  #parse(body: Uint8Array, run: ScrapeRun, w: SeriesWriter, invalidLine: InvalidLine): number {
    const sc = scanner;
    sc.reset(body);
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const honor = this.work.honorTimestamps;
    const track = !this.work.noStaleMarkers;
    w.setExtraLabels([]);
    w.setContext(this.#context);
    this.#kept = 0;
    let rows = 0;
    while (sc.next(invalidLine)) {
      rows++;
      const lo = hash64(body, dv, sc.lineStart, sc.keyEnd);
      const hi = hashHi;
      if (track) {
        const i = run.n++;
        run.rows.push(lo, hi);
        const prev = this.#prev;
        if (!(run.identical && i < prev!.length && prev!.lo[i] === lo && prev!.hi[i] === hi)) {
          if (run.identical) this.#diverge(run, i);
          // vmagent: a row counts as added when the previous response did not have it (before relabeling).
          if (!run.prevSet.has(lo, hi)) run.stats.seriesAdded++;
        }
        run.keys?.append(body, sc.lineStart, sc.keyEnd);
      }
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

  /** Stale markers, once each, for the previous rows whose series `keep` does not hold (all when null). */
  #staleMarkers(w: SeriesWriter, keep: HashSet64 | null, ts: number): number {
    const prev = this.#prev;
    const keys = this.#prevKeys;
    if (this.work.noStaleMarkers || prev === null || keys === null) return 0;
    emitted.reset(prev.length);
    let n = 0;
    w.setExtraLabels([]);
    w.setContext(this.#context);
    keys.forEach((buf, len, i) => {
      const lo = prev.lo[i]!;
      const hi = prev.hi[i]!;
      if ((keep !== null && keep.has(lo, hi)) || !emitted.add(lo, hi)) return;
      this.#writeStaleKey(buf, len, lo, hi, ts, w);
      n++;
    });
    return n;
  }

  /** Ends a scrape: stale markers for vanished series, then the auto series. */
  #end(run: ScrapeRun, durationMs: number, w: SeriesWriter): ScrapeStats {
    const prev = this.#prev;
    if (this.work.noStaleMarkers) {
      run.stats.seriesAdded = 0;
    } else if (!(run.identical && run.n === prev!.length)) {
      // Something changed: stale markers for the previous series this scrape lacks, then remember this one.
      if (run.identical) this.#diverge(run, run.n);
      const rows = run.rows;
      currentSet.reset(run.n);
      for (let i = 0; i < run.n; i++) currentSet.add(rows.lo[i]!, rows.hi[i]!);
      run.stats.staleMarkers = this.#staleMarkers(w, currentSet, run.ts);
      this.#prev = rows.trimmed();
      this.#prevKeys = run.keys!.trimmed();
    }
    run.rows.length = 0;
    this.#autoSeries(w, run.ts, durationMs, run.stats);
    return run.stats;
  }

  /** Forgets the previous scrape after stale markers for it. */
  #forget(w: SeriesWriter, ts: number): number {
    const n = this.#staleMarkers(w, null, ts);
    this.#prev = null;
    this.#prevKeys = null;
    return n;
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
        // As vmagent: the whole scrape is dropped, up=0, and the previous series go stale.
        b.restore(mark);
        w.unwrite(w.rows - rowsBefore);
        if (this.#seriesLimit.size !== seenBefore) this.#seriesLimit.reset();
        run.rows.length = 0;
        const stats: ScrapeStats = {
          up: false,
          samplesScraped: scraped,
          samplesPostRelabel: kept,
          seriesAdded: 0,
          staleMarkers: 0,
          error: "",
        };
        stats.error = `the response from ${
          JSON.stringify(this.work.scrapeURL)
        } exceeds sample_limit=${limit}; either reduce the sample count for the target or increase sample_limit`;
        stats.staleMarkers = this.#forget(w, ts);
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
   * The target went away (not on shutdown): stale markers for its series
   * and, as vmagent writes them, for its `up` and `scrape_*` series.
   */
  removed(ts: number, w: SeriesWriter): number {
    if (this.work.noStaleMarkers) return 0;
    const n = this.#forget(w, ts);
    return n + this.#auto.writeStale(w, ts);
  }
}

const EMPTY = new Uint8Array(0);
