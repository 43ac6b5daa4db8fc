/**
 * The one door through which every push parser writes series into a block.
 *
 * It applies vmagent v1.79.5's label rules in one place, so every protocol
 * behaves the same:
 * 1. the protocol's own labels, in the order the parser adds them;
 * 2. `extra_label` query args appended after them (a duplicate name is kept;
 *    VictoriaMetrics keeps the last of duplicate names);
 * 3. each `-remoteWrite.label` overwrites the first label of its name, or is
 *    appended;
 * 4. when any `-remoteWrite.label` is set, labels with empty values and
 *    `__*` labels other than `__name__` are removed, and a series left with
 *    no labels is dropped;
 * 5. `-remoteWrite.relabelConfig`, when set (then `__*` and empty labels are
 *    removed afterwards).
 *
 * Two ways in:
 * - **Strings**: begin(), label()…, sample()…, end(). The rules run on every
 *   series.
 * - **Cached** (the hot path): a parser hashes the request bytes that
 *   determine a series' labels and asks find(). On a hit it writes the
 *   sample with writeSample(id, …): the labels are copied as encoded bytes
 *   and no rule runs. On a miss it adds the labels as strings (begin(),
 *   label()…) and calls store(), which runs the rules once and keeps the
 *   result (see label_cache.ts). The cache key's salt covers the request's
 *   `extra_label`s and the protocol's context (setContext()), so a cached
 *   entry is exactly what the string path would have written.
 *
 * Label and sample storage is reused across series: no allocation per series.
 *
 * @module
 */

import type { BlockBuilder } from "../promremotewrite/encode.ts";
import { LabelCache } from "./label_cache.ts";
import { LabelEncoder } from "./label_encoder.ts";
import type { LabelPair, RelabelLabels, RelabelStep, SeriesSink } from "./_series_sink.ts";

export type { LabelPair, RelabelLabels, RelabelStep, SeriesSink };

/** Default bytes of each writer's label cache (`-labelCacheSize`). */
export const DEFAULT_LABEL_CACHE_BYTES = 16 * 1024 * 1024;

/** find()/store() result for labels that live only in the writer's scratch buffer (too large to cache). */
const SCRATCH = -2;

/** Writes series with vmagent's label rules into a BlockBuilder. */
export class SeriesWriter implements SeriesSink {
  #out: BlockBuilder;
  #global: readonly LabelPair[];
  #extra: readonly LabelPair[] = [];
  #extraKey = "";
  #context = "";
  #salt = 0;
  readonly #salts = new Map<string, number>();
  #onSeries: () => void;
  #names: string[] = [];
  #values: string[] = [];
  #n = 0;
  #sampleValues = new Float64Array(16);
  #sampleTimes = new Float64Array(16);
  #stale = new Uint8Array(16);
  #samples = 0;
  #globalMatched: Uint8Array;
  #relabel: RelabelStep | null = null;
  /** Labels of the current series after the rules (string path and store()). */
  readonly #enc = new LabelEncoder();
  /** Cache entry whose labels the current series uses (beginWith), or -1 for the string labels. */
  #with = -1;
  readonly cache: LabelCache;
  /** Samples written since the last resetCounters(). */
  rows = 0;
  /** Samples written since the writer was made (never reset). */
  totalRows = 0;
  /** Series dropped because no label was left. */
  droppedSeries = 0;
  /** Series dropped by -remoteWrite.relabelConfig since the last resetCounters(). */
  relabelDropped = 0;
  /** While true, onSeries is not called (see hold()). */
  #held = false;

  /**
   * `globalLabels` are the `-remoteWrite.label` pairs; `onSeries` runs after
   * each written series (the worker flushes full blocks there).
   */
  constructor(
    out: BlockBuilder,
    globalLabels: readonly LabelPair[],
    onSeries: () => void,
    cacheBytes = DEFAULT_LABEL_CACHE_BYTES,
  ) {
    this.#out = out;
    this.#global = globalLabels;
    this.#onSeries = onSeries;
    this.#globalMatched = new Uint8Array(globalLabels.length);
    this.cache = new LabelCache(cacheBytes);
    this.#salt = this.#saltOf();
  }

  /** Sets the `extra_label` pairs of the current request. */
  setExtraLabels(extra: readonly LabelPair[]): void {
    this.#extra = extra;
    let key = "";
    for (const [n, v] of extra) key += `${n}\u0000${v}\u0000`;
    if (key !== this.#extraKey) {
      this.#extraKey = key;
      this.#salt = this.#saltOf();
    }
  }

  /**
   * Sets what else the labels of this body's series depend on besides their
   * key bytes (e.g. Influx's `db` and flags); part of the cache salt.
   */
  setContext(context: string): void {
    if (context !== this.#context) {
      this.#context = context;
      this.#salt = this.#saltOf();
    }
  }

  /**
   * Call at the start of each request: zeroes the counters and clears the builder's label cache, so it never pins
   * strings of an earlier request body.
   */
  resetCounters(): void {
    this.rows = 0;
    this.droppedSeries = 0;
    this.relabelDropped = 0;
    this.#out.clearLabelCache();
  }

  /** Starts a series; add labels and samples, then call end(). */
  begin(): void {
    this.#n = 0;
    this.#samples = 0;
    this.#with = -1;
  }

  label(name: string, value: string): void {
    const i = this.#n++;
    this.#names[i] = name;
    this.#values[i] = value;
  }

  /** Number of labels added to the current series so far. */
  get labelCount(): number {
    return this.#n;
  }

  sample(value: number, timestampMs: number): void {
    this.#push(value, timestampMs, 0);
  }

  /** A Prometheus staleness marker (its NaN bits cannot live in a JS number). */
  staleSample(timestampMs: number): void {
    this.#push(NaN, timestampMs, 1);
  }

  #push(value: number, ts: number, stale: number): void {
    const i = this.#samples++;
    if (i >= this.#sampleValues.length) {
      const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.#sampleValues = grow(this.#sampleValues, (n) => new Float64Array(n));
      this.#sampleTimes = grow(this.#sampleTimes, (n) => new Float64Array(n));
      this.#stale = grow(this.#stale, (n) => new Uint8Array(n));
    }
    this.#sampleValues[i] = value;
    this.#sampleTimes[i] = ts;
    this.#stale[i] = stale;
  }

  /**
   * Sets `-remoteWrite.relabelConfig` (null = none). With rules, every series
   * goes through them after the label rules above; dropped series are
   * counted in `relabelDropped`, and `__*`/empty labels are removed after.
   * Empties the label cache, whose entries were made under the old rules.
   */
  setRelabel(rules: RelabelStep | null): void {
    this.#relabel = rules;
    this.cache.clear();
  }

  /** Whether no label rule applies (no -remoteWrite.label, no -remoteWrite.relabelConfig): see builder. */
  get rulesFree(): boolean {
    return this.#global.length === 0 && this.#relabel === null;
  }

  /**
   * Whether a series' labels are exactly what the parser says: no rule and
   * no `extra_label`. Then a parser may encode labels from the request bytes
   * straight into builder (no cache needed: that costs what a cache hit
   * costs, and no memory).
   */
  get verbatim(): boolean {
    return this.#global.length === 0 && this.#relabel === null && this.#extra.length === 0;
  }

  /**
   * The block builder, for callers that encode labels themselves (the
   * scraper's fast path). Only when rulesFree; call seriesWritten() after
   * each series.
   */
  get builder(): BlockBuilder {
    return this.#out;
  }

  /**
   * The bytes-to-bytes path (only when verbatim, or rulesFree for a caller
   * that adds no extra labels): one series of one sample whose name is
   * `name[ns, ne)` and whose other labels are `labels` (encoded), then
   * `tail` (encoded, e.g. a scrape target's labels); see
   * BlockBuilder.appendNamedSeries.
   */
  writeNamed(
    name: Uint8Array,
    ns: number,
    ne: number,
    labels: LabelEncoder,
    value: number,
    timestampMs: number,
    stale = false,
    tail?: Uint8Array,
    tailCount = 0,
  ): void {
    this.#out.appendNamedSeries(
      name,
      ns,
      ne,
      labels.buf,
      0,
      labels.length,
      labels.count,
      value,
      timestampMs,
      stale,
      tail,
      tailCount,
    );
    this.seriesWritten(1);
  }

  /** Counts a series of `samples` samples written into builder directly. */
  seriesWritten(samples: number): void {
    this.rows += samples;
    this.totalRows += samples;
    if (!this.#held) this.#onSeries();
  }

  /**
   * Holds back onSeries (so the block is not flushed) while a scrape with
   * `sample_limit` may still be rolled back; release with hold(false).
   */
  hold(on: boolean): void {
    this.#held = on;
    if (!on) this.#onSeries();
  }

  /** Takes back the count of `samples` written samples whose bytes the caller removed (BlockBuilder.restore). */
  unwrite(samples: number): void {
    this.rows -= samples;
    this.totalRows -= samples;
  }

  /** Whether entry `id` (from find() or store()) is a series the rules drop. */
  isDropped(id: number): boolean {
    return id === SCRATCH ? this.#enc.length === 0 : this.cache.labels(id) < 0;
  }

  // ---- cached path ----------------------------------------------------------------

  /** The cache salt for the current context and extra labels (interned to a small number). */
  #saltOf(): number {
    const key = `${this.#context}\u0001${this.#extraKey}`;
    let s = this.#salts.get(key);
    if (s === undefined) {
      // A flood of distinct contexts must not grow the map (or keep stale entries alive) without bound.
      if (this.#salts.size >= 65536) {
        this.#salts.clear();
        this.cache.clear();
      }
      s = this.#salts.size;
      this.#salts.set(key, s);
    }
    return s;
  }

  /**
   * The cached labels for key `src[a1, b1)` + `src[a2, b2)` with hash `h`
   * (label_cache.ts hashBytes over both ranges), or -1. The result is valid
   * until the next store().
   */
  find(h: number, src: Uint8Array, a1: number, b1: number, a2 = 0, b2 = 0): number {
    return this.cache.find(h, this.#salt, src, a1, b1, a2, b2);
  }

  /**
   * Runs the label rules on the labels added since begin() and stores the
   * result under the key (see find()); returns the entry to write samples
   * with, valid until the next store().
   */
  store(h: number, src: Uint8Array, a1: number, b1: number, a2 = 0, b2 = 0): number {
    const count = this.#encode();
    const id = this.cache.add(
      h,
      this.#salt,
      src,
      a1,
      b1,
      a2,
      b2,
      this.#enc.buf,
      count < 0 ? 0 : this.#enc.length,
      count,
    );
    return id < 0 ? SCRATCH : id;
  }

  /** Writes one sample of a series whose labels are entry `id` (from find() or store()). */
  writeSample(id: number, value: number, timestampMs: number): void {
    this.#writeOne(id, value, timestampMs, false);
  }

  /** Writes a staleness marker for the series of entry `id`. */
  writeStale(id: number, timestampMs: number): void {
    this.#writeOne(id, NaN, timestampMs, true);
  }

  #writeOne(id: number, value: number, ts: number, stale: boolean): void {
    let src: Uint8Array;
    let off: number;
    let len: number;
    let count: number;
    if (id === SCRATCH) {
      count = this.#enc.count;
      if (this.#enc.length === 0) count = -1;
      src = this.#enc.buf;
      off = 0;
      len = this.#enc.length;
    } else {
      const c = this.cache;
      count = c.labels(id);
      src = c.arena;
      off = c.valueOffset(id);
      len = c.valueLength(id);
    }
    if (count < 0) {
      this.#countDrop(id);
      return;
    }
    this.#out.appendSeries(src, off, off + len, count, value, ts, stale);
    this.rows++;
    this.totalRows++;
    if (!this.#held) this.#onSeries();
  }

  /**
   * Starts a series whose labels are entry `id` (from find() or store()), for
   * several samples: add them with sample()/staleSample(), then end().
   */
  beginWith(id: number): void {
    this.#samples = 0;
    this.#with = id;
  }

  // ---- string path ----------------------------------------------------------------

  /** Writes the series (labels + samples). */
  end(): void {
    let src: Uint8Array;
    let off = 0;
    let len: number;
    let count: number;
    const id = this.#with;
    if (id >= 0) {
      const c = this.cache;
      count = c.labels(id);
      src = c.arena;
      off = c.valueOffset(id);
      len = c.valueLength(id);
    } else {
      if (id !== SCRATCH) count = this.#encode();
      else count = this.#enc.length === 0 ? -1 : this.#enc.count;
      src = this.#enc.buf;
      len = this.#enc.length;
    }
    this.#with = -1;
    if (count < 0) {
      this.#countDrop(id);
      this.#samples = 0;
      return;
    }
    const n = this.#samples;
    const out = this.#out;
    if (n === 1) {
      out.appendSeries(src, off, off + len, count, this.#sampleValues[0]!, this.#sampleTimes[0]!, this.#stale[0] === 1);
    } else {
      out.beginSeries();
      out.addRawLabels(src, off, off + len, count);
      for (let i = 0; i < n; i++) {
        if (this.#stale[i] === 1) out.addStaleMarker(this.#sampleTimes[i]!);
        else out.addSample(this.#sampleValues[i]!, this.#sampleTimes[i]!);
      }
      out.endSeries();
    }
    this.rows += n;
    this.totalRows += n;
    this.#samples = 0;
    if (!this.#held) this.#onSeries();
  }

  /** A dropped series: by relabeling (-3 marker) or for having no labels left. */
  #countDrop(id: number): void {
    const relabeled = id === SCRATCH || id < 0 ? this.#lastDropByRelabel : this.#dropByRelabel(id);
    if (relabeled) this.relabelDropped++;
    else this.droppedSeries++;
  }

  #lastDropByRelabel = false;

  /** Cached drops keep their reason in the sign-encoded label count: -1 no labels, -2 relabeling. */
  #dropByRelabel(id: number): boolean {
    return this.cache.labels(id) === -2;
  }

  /**
   * Encodes the current string labels with the rules into #enc; returns the
   * label count, -1 when no label is left, -2 when relabeling drops the series.
   */
  #encode(): number {
    const enc = this.#enc;
    enc.reset();
    this.#lastDropByRelabel = false;
    const names = this.#names;
    const values = this.#values;
    const own = this.#n;
    const extra = this.#extra;
    if (this.#relabel !== null) return this.#encodeRelabeled(this.#relabel);
    const global = this.#global;
    if (global.length === 0) {
      // No -remoteWrite.label: labels are written as given, nothing is dropped.
      for (let i = 0; i < own; i++) enc.add(names[i]!, values[i]!);
      for (let i = 0; i < extra.length; i++) enc.add(extra[i]![0], extra[i]![1]);
      return own + extra.length === 0 ? -1 : enc.count;
    }
    const matched = this.#globalMatched;
    matched.fill(0);
    const total = own + extra.length;
    for (let i = 0; i < total; i++) {
      let name: string;
      let value: string;
      if (i < own) {
        name = names[i]!;
        value = values[i]!;
      } else {
        const e = extra[i - own]!;
        name = e[0];
        value = e[1];
      }
      for (let j = 0; j < global.length; j++) {
        if (matched[j] === 0 && global[j]![0] === name) {
          matched[j] = 1;
          value = global[j]![1];
          break;
        }
      }
      if (keep(name, value)) enc.add(name, value);
    }
    for (let j = 0; j < global.length; j++) {
      if (matched[j] !== 0) continue;
      const [name, value] = global[j]!;
      if (keep(name, value)) enc.add(name, value);
    }
    return enc.count === 0 ? -1 : enc.count;
  }

  /** The slow path with -remoteWrite.relabelConfig: collect, apply the rules, encode. */
  #encodeRelabeled(rules: RelabelStep): number {
    const l = rules.scratch;
    l.reset();
    const own = this.#n;
    for (let i = 0; i < own; i++) l.push(this.#names[i]!, this.#values[i]!);
    for (const [n, v] of this.#extra) l.push(n, v);
    // vmagent v1.79.5: -remoteWrite.label overrides the first same-name label (or is added) before relabeling.
    for (const [n, v] of this.#global) {
      const i = l.indexOf(n);
      if (i >= 0) l.values[i] = v;
      else l.push(n, v);
    }
    if (!rules.apply(l)) {
      this.#lastDropByRelabel = true;
      return -2;
    }
    rules.finalize(l);
    if (l.length === 0) return -1;
    const enc = this.#enc;
    for (let i = 0; i < l.length; i++) enc.add(l.names[i]!, l.values[i]!);
    return enc.count;
  }
}

function keep(name: string, value: string): boolean {
  if (value === "") return false;
  return !(name.length >= 2 && name.charCodeAt(0) === 0x5f && name.charCodeAt(1) === 0x5f && name !== "__name__");
}
