/**
 * What a parse worker does with one scrape of one target (lib/promscrape/
 * scrapework.go in vmagent): parse the exposition, merge target labels
 * (`honor_labels`), apply `metric_relabel_configs`, enforce `sample_limit`
 * and `series_limit`, add external labels, write the series, emit stale
 * markers for series that vanished, and add the auto-generated series
 * (`up`, `scrape_duration_seconds`, …).
 *
 * State per target (the previous scrape's series) lives in the worker that
 * owns the target; the main thread always routes a target to the same
 * worker.
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

import { keyMatches, keyOf, writeKeyStale } from "./_series_key.ts";
import { applyRelabeling, finalizeLabels, Labels, parseRelabelConfigs, type CompiledRelabelRules } from "../relabel/apply.ts";
import type { SeriesSink } from "../protocols/_shared/series_writer.ts";
import { PromLineScanner } from "../protocols/prometheus/parse.ts";
import type { ScrapeWork } from "./targets.ts";

/** One scrape's outcome, shown on /targets and in vm_promscrape_* metrics. */
export interface ScrapeStats {
  up: boolean;
  samplesScraped: number;
  samplesPostRelabel: number;
  seriesAdded: number;
  staleMarkers: number;
  error: string;
}

/**
 * What the parser writes into: one series' labels in reused arrays, handed
 * to `onRow` at end(). Shared by all targets of a worker: parsing is
 * synchronous and single-threaded, so one scrape owns it at a time. Between
 * scrapes it may pin the last row's label strings (one body), nothing more.
 */
class RowSink implements SeriesSink {
  names: string[] = [];
  values: string[] = [];
  n = 0;
  value = 0;
  ts = 0;
  onRow: () => void = noop;
  begin(): void {
    this.n = 0;
  }
  label(name: string, value: string): void {
    const i = this.n++;
    this.names[i] = name;
    this.values[i] = value;
  }
  sample(value: number, ts: number): void {
    this.value = value;
    this.ts = ts;
  }
  staleSample(ts: number): void {
    this.sample(NaN, ts);
  }
  end(): void {
    this.onRow();
  }
}

function noop(): void {}

const rowSink = new RowSink();
const scanner = new PromLineScanner();

/** Feeds each sample line of `body` to `sink` as strings; returns the rows. */
function parseRows(body: Uint8Array, sink: SeriesSink, ts: number, honor: boolean, invalidLine: (reason: string, line: string) => void): number {
  const sc = scanner;
  sc.reset(body);
  let rows = 0;
  while (sc.next(invalidLine)) {
    sink.begin();
    sink.label("__name__", sc.metricName());
    for (let i = 0; i < sc.nLabels; i++) sink.label(sc.labelName(i), sc.labelValue(i));
    sink.sample(sc.value, !honor || sc.timestamp === 0 ? ts : sc.timestamp);
    sink.end();
    rows++;
  }
  return rows;
}
/** The label set a row is merged and relabeled in (same single-owner rule as rowSink). */
const scratch = new Labels(32);

/**
 * Rows of a scrape held back until `sample_limit` can be checked (only for
 * targets with a limit): labels flat in `names`/`values`, row i spanning
 * `[ends[i-1], ends[i])`. Emptied after each scrape so it pins no body.
 */
class RowBuffer {
  names: string[] = [];
  values: string[] = [];
  ends: number[] = [];
  sampleValues: number[] = [];
  times: number[] = [];
  add(l: Labels, value: number, ts: number): void {
    for (let i = 0; i < l.length; i++) {
      this.names.push(l.names[i]!);
      this.values.push(l.values[i]!);
    }
    this.ends.push(this.names.length);
    this.sampleValues.push(value);
    this.times.push(ts);
  }
  get rows(): number {
    return this.ends.length;
  }
  clear(): void {
    this.names.length = this.values.length = this.ends.length = this.sampleValues.length = this.times.length = 0;
  }
}

const rowBuffer = new RowBuffer();

/** Bookkeeping of one scrape. */
interface ScrapeRun {
  ts: number;
  /**
   * Keys of the series written so far; becomes `#prev` at the end. Null while
   * every series so far was the previous scrape's at the same position
   * (`matched` of them): the usual case costs no Set work.
   */
  current: Set<string> | null;
  matched: number;
  /** Keys in write order once `current` exists. */
  keys: string[];
  stats: ScrapeStats;
}

/**
 * The first millisecond of the deduplication interval `(k·D − D, k·D]` that
 * contains `ts`, for D = the scrape interval (see the module comment).
 */
export function dedupIntervalStart(ts: number, intervalMs: number): number {
  const k = Math.ceil(ts / intervalMs);
  return k * intervalMs - intervalMs + 1;
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
  /**
   * Keys ({@linkcode keyOf}) of the series of the last successful scrape,
   * for `scrape_series_added` and stale markers. Keys only: a vanished
   * series' labels are decoded from its key.
   */
  #prev = new Set<string>();
  /** The same keys in write order (with repeats); `#prev` is exactly the set of them. */
  #prevKeys: string[] = [];
  /** series_limit: series seen in the current 24h window. */
  #seriesSeen = new Set<string>();
  #seriesWindowStart = 0;
  seriesLimitDropped = 0;
  /** The stream-parsed scrape in progress. */
  #stream: ScrapeRun | null = null;
  /** Where the current parse goes: the run and sink rows are written to, or null to buffer them. */
  #run: ScrapeRun | null = null;
  #out: SeriesSink | null = null;
  /** Rows that survived relabeling in the current parse. */
  #kept = 0;
  readonly #onRow = (): void => this.#row();

  constructor(work: ScrapeWork) {
    this.work = work;
    this.#metricRelabel =
      work.metricRelabelConfigsRaw === null || work.metricRelabelConfigsRaw === undefined
        ? null
        : parseRelabelConfigs(work.metricRelabelConfigsRaw, "metric_relabel_configs");
    this.#targetNames = work.labels.map((p) => p[0]);
    this.#targetValues = work.labels.map((p) => p[1]);
    this.#extNames = work.externalLabels.map((p) => p[0]);
    this.#extValues = work.externalLabels.map((p) => p[1]);
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

  #writeSeries(w: SeriesSink, names: readonly string[], values: readonly string[], from: number, to: number, value: number, ts: number): void {
    w.begin();
    for (let i = from; i < to; i++) w.label(names[i]!, values[i]!);
    w.sample(value, ts);
    w.end();
  }

  /** Writes stale markers for every previous series not in `current` (all of them when null). */
  #staleMarkers(w: SeriesSink, current: Set<string> | null, ts: number): number {
    if (this.work.noStaleMarkers) return 0;
    let n = 0;
    for (const k of this.#prev) {
      if (current !== null && current.has(k)) continue;
      writeKeyStale(w, k, ts);
      n++;
    }
    return n;
  }

  #autoSeries(w: SeriesSink, ts: number, durationMs: number, s: ScrapeStats): void {
    const put = (name: string, v: number) => {
      const l = scratch;
      l.reset();
      l.push("__name__", name);
      for (let t = 0; t < this.#targetNames.length; t++) l.push(this.#targetNames[t]!, this.#targetValues[t]!);
      this.#addExternal(l);
      this.#writeSeries(w, l.names, l.values, 0, l.length, v, ts);
    };
    put("up", s.up ? 1 : 0);
    put("scrape_duration_seconds", durationMs / 1000);
    put("scrape_samples_scraped", s.samplesScraped);
    put("scrape_samples_post_metric_relabeling", s.samplesPostRelabel);
    put("scrape_series_added", s.seriesAdded);
    put("scrape_timeout_seconds", this.work.timeoutMs / 1000);
    if (this.work.sampleLimit > 0) put("scrape_samples_limit", this.work.sampleLimit);
    if (this.work.seriesLimit > 0) {
      put("scrape_series_limit", this.work.seriesLimit);
      put("scrape_series_current", this.#seriesSeen.size);
      put("scrape_series_limit_samples_dropped", this.seriesLimitDropped);
    }
  }

  /** One parsed row: target labels, metric relabeling, external labels, then written or buffered. */
  #row(): void {
    const r = rowSink;
    const l = scratch;
    l.reset();
    for (let i = 0; i < r.n; i++) l.push(r.names[i]!, r.values[i]!);
    this.#mergeTargetLabels(l);
    if (this.#metricRelabel !== null) {
      if (!applyRelabeling(this.#metricRelabel, l)) return;
      finalizeLabels(l);
      if (l.length === 0) return;
    }
    this.#addExternal(l);
    this.#kept++;
    if (this.#run === null) rowBuffer.add(l, r.value, r.ts);
    else this.#emit(this.#run, l.names, l.values, 0, l.length, r.value, r.ts, this.#out!);
  }

  /**
   * Parses `body`; each row that survives relabeling goes to `run` and `w`
   * (or to rowBuffer when `run` is null). Returns the samples parsed.
   */
  #parse(body: Uint8Array, ts: number, run: ScrapeRun | null, w: SeriesSink | null, invalidLine: (reason: string, line: string) => void): number {
    this.#run = run;
    this.#out = w;
    this.#kept = 0;
    rowSink.onRow = this.#onRow;
    try {
      return parseRows(body, rowSink, ts, this.work.honorTimestamps, invalidLine);
    } finally {
      rowSink.onRow = noop;
      this.#run = null;
      this.#out = null;
    }
  }

  /** Starts a scrape's bookkeeping (series seen in it, series_limit window). */
  #begin(ts: number): ScrapeRun {
    if (this.work.seriesLimit > 0 && ts - this.#seriesWindowStart >= 24 * 3600 * 1000) {
      this.#seriesSeen.clear();
      this.#seriesWindowStart = ts;
    }
    return {
      ts,
      current: null,
      matched: 0,
      keys: [],
      stats: { up: true, samplesScraped: 0, samplesPostRelabel: 0, seriesAdded: 0, staleMarkers: 0, error: "" },
    };
  }

  /** Writes one series (series_limit applied) and records it for staleness. */
  #emit(run: ScrapeRun, names: readonly string[], values: readonly string[], from: number, to: number, value: number, ts: number, w: SeriesSink): void {
    // Series usually come in the previous scrape's order: reuse its key string (hash cached, no new string).
    const prevKeys = this.#prevKeys;
    const at = run.current === null ? run.matched : run.keys.length;
    const cand = at < prevKeys.length ? prevKeys[at]! : undefined;
    const key = cand !== undefined && keyMatches(cand, names, values, from, to) ? cand : keyOf(names, values, from, to);
    const limit = this.work.seriesLimit;
    if (limit > 0 && !this.#seriesSeen.has(key)) {
      if (this.#seriesSeen.size >= limit) {
        this.seriesLimitDropped++;
        return;
      }
      this.#seriesSeen.add(key);
    }
    if (run.current === null) {
      if (key === cand) {
        // Still the previous scrape position by position: in #prev, so never added.
        run.matched++;
        this.#writeSeries(w, names, values, from, to, value, ts);
        return;
      }
      this.#materialize(run);
    }
    const current = run.current!;
    run.keys.push(key);
    const before = current.size;
    current.add(key);
    if (current.size !== before && !this.#prev.has(key)) run.stats.seriesAdded++;
    this.#writeSeries(w, names, values, from, to, value, ts);
  }

  /** Leaves the matched fast path: `current` = the first `matched` previous keys. */
  #materialize(run: ScrapeRun): void {
    run.keys = this.#prevKeys.slice(0, run.matched);
    run.current = new Set(run.keys);
  }

  /** Ends a scrape: stale markers for vanished series, then the auto series. */
  #end(run: ScrapeRun, durationMs: number, w: SeriesSink): ScrapeStats {
    if (run.current === null && run.matched === this.#prevKeys.length) {
      // The same series as last time, in the same order: #prev stays, nothing went stale.
      run.stats.staleMarkers = 0;
      this.#autoSeries(w, run.ts, durationMs, run.stats);
      return run.stats;
    }
    if (run.current === null) this.#materialize(run);
    run.stats.staleMarkers = this.#staleMarkers(w, run.current, run.ts);
    this.#prev = run.current!;
    this.#prevKeys = run.keys;
    this.#autoSeries(w, run.ts, durationMs, run.stats);
    return run.stats;
  }

  /** A successful scrape: `body` is the (decompressed) response, `ts` the scrape timestamp. */
  scraped(body: Uint8Array, ts: number, durationMs: number, w: SeriesSink, invalidLine: (reason: string, line: string) => void): ScrapeStats {
    const limit = this.work.sampleLimit;
    if (limit <= 0) {
      // No sample_limit: rows are written as they are parsed.
      const run = this.#begin(ts);
      run.stats.samplesScraped = this.#parse(body, ts, run, w, invalidLine);
      run.stats.samplesPostRelabel = this.#kept;
      return this.#end(run, durationMs, w);
    }
    // sample_limit needs the count first: buffer the rows, then write them or drop them all.
    const b = rowBuffer;
    b.clear();
    try {
      const scraped = this.#parse(body, ts, null, null, invalidLine);
      const rows = b.rows;
      if (rows > limit) {
        // As vmagent: the whole scrape is dropped, up=0, and the previous series go stale.
        const stats: ScrapeStats = { up: false, samplesScraped: scraped, samplesPostRelabel: rows, seriesAdded: 0, staleMarkers: 0, error: "" };
        stats.error = `the response from ${JSON.stringify(this.work.scrapeURL)} exceeds sample_limit=${limit}; either reduce the sample count for the target or increase sample_limit`;
        stats.staleMarkers = this.#staleMarkers(w, null, ts);
        this.#prev.clear();
        this.#prevKeys = [];
        this.#autoSeries(w, ts, durationMs, stats);
        return stats;
      }
      const run = this.#begin(ts);
      run.stats.samplesScraped = scraped;
      run.stats.samplesPostRelabel = rows;
      for (let i = 0, from = 0; i < rows; i++) {
        const to = b.ends[i]!;
        this.#emit(run, b.names, b.values, from, to, b.sampleValues[i]!, b.times[i]!, w);
        from = to;
      }
      return this.#end(run, durationMs, w);
    } finally {
      b.clear();
    }
  }

  /**
   * Stream parsing (big responses, `stream_parse`, `-promscrape.streamParse`):
   * the body arrives as blocks of whole lines and each block is written at
   * once, so memory stays bounded. As in vmagent, `sample_limit` cannot be
   * enforced in this mode (samples already sent cannot be recalled).
   */
  streamBegin(ts: number): void {
    this.#stream = this.#begin(ts);
  }

  streamChunk(body: Uint8Array, w: SeriesSink, invalidLine: (reason: string, line: string) => void): void {
    // A target re-registered mid-stream has lost its begin: start over at this chunk.
    const run = (this.#stream ??= this.#begin(Date.now()));
    run.stats.samplesScraped += this.#parse(body, run.ts, run, w, invalidLine);
    run.stats.samplesPostRelabel += this.#kept;
  }

  /** Drops a stream that failed midway (the caller then reports the failure). */
  streamAbort(): void {
    this.#stream = null;
  }

  streamEnd(durationMs: number, w: SeriesSink): ScrapeStats {
    const run = this.#stream ?? this.#begin(Date.now());
    this.#stream = null;
    return this.#end(run, durationMs, w);
  }

  /**
   * A failed scrape: up=0 and stale markers for the previous series, stamped
   * with the scheduled timestamp `ts` (see the module comment).
   */
  failed(error: string, ts: number, durationMs: number, w: SeriesSink): ScrapeStats {
    const stats: ScrapeStats = { up: false, samplesScraped: 0, samplesPostRelabel: 0, seriesAdded: 0, staleMarkers: 0, error };
    const at = dedupIntervalStart(ts, this.work.intervalMs);
    stats.staleMarkers = this.#staleMarkers(w, null, at);
    this.#prev.clear();
    this.#prevKeys = [];
    this.#autoSeries(w, at, durationMs, stats);
    return stats;
  }

  /** The target went away (not on shutdown): stale markers for its series. */
  removed(ts: number, w: SeriesSink): number {
    const n = this.#staleMarkers(w, null, ts);
    this.#prev.clear();
    this.#prevKeys = [];
    return n;
  }
}
