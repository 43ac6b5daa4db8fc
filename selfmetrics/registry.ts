/**
 * Self-metrics: counters and gauges kept per thread and merged on the main
 * thread when `/metrics` is scraped.
 *
 * Each thread owns one {@linkcode Registry}. Worker threads answer a metrics
 * request with {@linkcode Registry.snapshot}; the main thread sums the
 * snapshots of all threads by series key ({@linkcode renderMetrics}), so a
 * counter such as `vmagent_rows_inserted_total{type="promremotewrite"}`
 * incremented by several parse workers is shown once, as vmagent shows it.
 *
 * Names follow vmagent (`vmagent_*`, `vm_*`) so existing dashboards work.
 *
 * @module
 */

/** One series: `name{label="value",…}` and its value. */
export type MetricSample = readonly [key: string, value: number];

/** A counter or gauge handle; cheap to keep and call on hot paths. */
export class Metric {
  value = 0;
  readonly key: string;
  constructor(key: string) {
    this.key = key;
  }
  inc(n = 1): void {
    this.value += n;
  }
  set(v: number): void {
    this.value = v;
  }
}

/** Escapes a label value as the Prometheus text format requires. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** Builds `name{k="v",…}` (labels in the given order). */
export function seriesKey(name: string, labels?: Readonly<Record<string, string>>): string {
  if (labels === undefined) return name;
  const parts: string[] = [];
  for (const k in labels) parts.push(`${k}="${escapeLabelValue(labels[k]!)}"`);
  return parts.length === 0 ? name : `${name}{${parts.join(",")}}`;
}

/**
 * Per-thread metric set. `metric()` returns the same handle for the same key,
 * so callers may look handles up once and keep them.
 */
export class Registry {
  #metrics = new Map<string, Metric>();
  #gauges = new Map<string, () => number>();

  /** Returns the counter/gauge for `name` + `labels`, creating it at 0. */
  metric(name: string, labels?: Readonly<Record<string, string>>): Metric {
    const key = seriesKey(name, labels);
    let m = this.#metrics.get(key);
    if (m === undefined) {
      m = new Metric(key);
      this.#metrics.set(key, m);
    }
    return m;
  }

  /** Registers a gauge whose value is computed when metrics are collected. */
  gauge(name: string, labels: Readonly<Record<string, string>> | undefined, fn: () => number): void {
    this.#gauges.set(seriesKey(name, labels), fn);
  }

  /** Removes every metric whose key starts with `prefix` (e.g. on reload). */
  unregisterPrefix(prefix: string): void {
    for (const k of this.#metrics.keys()) if (k.startsWith(prefix)) this.#metrics.delete(k);
    for (const k of this.#gauges.keys()) if (k.startsWith(prefix)) this.#gauges.delete(k);
  }

  /** Current values as plain data, safe to postMessage. */
  snapshot(): MetricSample[] {
    const out: MetricSample[] = [];
    for (const m of this.#metrics.values()) out.push([m.key, m.value]);
    for (const [k, fn] of this.#gauges) out.push([k, fn()]);
    return out;
  }
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/**
 * Merges snapshots from several threads (values with the same key are
 * summed) and renders them in the Prometheus text format, sorted by key.
 */
export function renderMetrics(snapshots: readonly (readonly MetricSample[])[]): string {
  const merged = new Map<string, number>();
  for (const snap of snapshots) {
    for (const [k, v] of snap) merged.set(k, (merged.get(k) ?? 0) + v);
  }
  const keys = [...merged.keys()].sort();
  let out = "";
  for (const k of keys) out += `${k} ${formatValue(merged.get(k)!)}\n`;
  return out;
}
