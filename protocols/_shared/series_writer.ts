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
 *    no labels is dropped.
 *
 * Label and sample storage is reused across series: no allocation per
 * series beyond the strings the parser already made.
 *
 * @module
 */

import type { BlockBuilder } from "../promremotewrite/encode.ts";

export type LabelPair = readonly [name: string, value: string];

/**
 * A relabeling step the writer can run (the relabel engine, injected so this
 * module stays free of it): `apply` returns false to drop the series;
 * `finalize` removes `__*` and empty labels afterwards.
 */
export interface RelabelStep {
  /** A reusable label list for the writer to fill. */
  readonly scratch: RelabelLabels;
  apply(labels: RelabelLabels): boolean;
  finalize(labels: RelabelLabels): void;
}

/** The mutable label list the relabel engine works on (relabel/labels.ts). */
export interface RelabelLabels {
  names: string[];
  values: string[];
  length: number;
  reset(): void;
  push(name: string, value: string): void;
  indexOf(name: string): number;
}

/**
 * Where a parser sends series. {@linkcode SeriesWriter} is the usual one;
 * the scraper puts a sink in front of it that merges target labels and
 * applies `metric_relabel_configs` first.
 */
export interface SeriesSink {
  begin(): void;
  label(name: string, value: string): void;
  sample(value: number, timestampMs: number): void;
  staleSample(timestampMs: number): void;
  end(): void;
}

/** Writes series with vmagent's label rules into a BlockBuilder. */
export class SeriesWriter implements SeriesSink {
  #out: BlockBuilder;
  #global: readonly LabelPair[];
  #extra: readonly LabelPair[] = [];
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
  /** Samples written since the last resetCounters(). */
  rows = 0;
  /** Series dropped because no label was left. */
  droppedSeries = 0;

  /**
   * `globalLabels` are the `-remoteWrite.label` pairs; `onSeries` runs after
   * each written series (the worker flushes full blocks there).
   */
  constructor(out: BlockBuilder, globalLabels: readonly LabelPair[], onSeries: () => void) {
    this.#out = out;
    this.#global = globalLabels;
    this.#onSeries = onSeries;
    this.#globalMatched = new Uint8Array(globalLabels.length);
  }

  /** Sets the `extra_label` pairs of the current request. */
  setExtraLabels(extra: readonly LabelPair[]): void {
    this.#extra = extra;
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

  /** Removes the labels added after the first `count` (to reuse a common prefix, e.g. Influx tags). */
  truncateLabels(count: number): void {
    this.#n = count;
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
   */
  setRelabel(rules: RelabelStep | null): void {
    this.#relabel = rules;
  }

  /** Series dropped by -remoteWrite.relabelConfig since the last resetCounters(). */
  relabelDropped = 0;

  /** Writes the series (labels + samples) and keeps the labels for the next begin()/truncateLabels(). */
  end(): void {
    if (this.#relabel !== null) {
      this.#endRelabeled(this.#relabel);
      return;
    }
    const names = this.#names;
    const values = this.#values;
    const own = this.#n;
    const extra = this.#extra;
    const global = this.#global;
    const drop = global.length > 0;
    const out = this.#out;
    out.beginSeries();
    if (global.length === 0) {
      // No -remoteWrite.label: labels are written as given, nothing is dropped.
      for (let i = 0; i < own; i++) out.addLabel(names[i]!, values[i]!);
      for (let i = 0; i < extra.length; i++) out.addLabel(extra[i]![0], extra[i]![1]);
      if (own + extra.length === 0) {
        out.abortSeries();
        this.droppedSeries++;
        return;
      }
      this.#writeSamples();
      return;
    }
    const matched = this.#globalMatched;
    matched.fill(0);
    let kept = 0;
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
      if (drop && !keep(name, value)) continue;
      out.addLabel(name, value);
      kept++;
    }
    for (let j = 0; j < global.length; j++) {
      if (matched[j] !== 0) continue;
      const [name, value] = global[j]!;
      if (drop && !keep(name, value)) continue;
      out.addLabel(name, value);
      kept++;
    }
    if (kept === 0) {
      out.abortSeries();
      this.droppedSeries++;
      return;
    }
    this.#writeSamples();
  }

  /** Appends the collected samples, ends the series and notifies onSeries. */
  /** The slow path with -remoteWrite.relabelConfig: collect, apply the rules, write. */
  #endRelabeled(rules: RelabelStep): void {
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
      this.relabelDropped++;
      this.#samples = 0;
      return;
    }
    rules.finalize(l);
    if (l.length === 0) {
      this.droppedSeries++;
      this.#samples = 0;
      return;
    }
    const out = this.#out;
    out.beginSeries();
    for (let i = 0; i < l.length; i++) out.addLabel(l.names[i]!, l.values[i]!);
    this.#writeSamples();
  }

  #writeSamples(): void {
    const out = this.#out;
    const n = this.#samples;
    for (let i = 0; i < n; i++) {
      if (this.#stale[i] === 1) out.addStaleMarker(this.#sampleTimes[i]!);
      else out.addSample(this.#sampleValues[i]!, this.#sampleTimes[i]!);
    }
    out.endSeries();
    this.rows += n;
    this.#samples = 0;
    this.#onSeries();
  }
}

function keep(name: string, value: string): boolean {
  if (value === "") return false;
  return !(name.length >= 2 && name.charCodeAt(0) === 0x5f && name.charCodeAt(1) === 0x5f && name !== "__name__");
}
