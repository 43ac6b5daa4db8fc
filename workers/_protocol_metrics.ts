/**
 * A parse worker's self-metrics: the per-protocol row and error counters
 * (`vmagent_rows_inserted_total`, `vm_protoparser_*`, … by `type`) and the
 * label cache's figures, registered in the worker's registry
 * (workers/parse_worker.ts).
 *
 * @module
 */

import type { SeriesWriter } from "../protocols/_shared/series_writer.ts";
import type { Metric, Registry } from "../selfmetrics/registry.ts";

/** Per-protocol counters, created on first use. */
export interface TypeMetrics {
  inserted: Metric;
  perInsertSum: Metric;
  perInsertCount: Metric;
  rowsRead: Metric;
  invalid: Metric;
  readErrors: Metric;
  unmarshalErrors: Metric;
}

/** The counters of each protocol, by name, in one registry. */
export class ProtocolMetrics {
  readonly #registry: Registry;
  readonly #byType = new Map<string, TypeMetrics>();

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** The counters of protocol `name` (registered on first use). */
  of(name: string): TypeMetrics {
    let m = this.#byType.get(name);
    if (m === undefined) {
      const registry = this.#registry;
      const t = { type: name };
      m = {
        inserted: registry.metric("vmagent_rows_inserted_total", t),
        perInsertSum: registry.metric("vmagent_rows_per_insert_sum", t),
        perInsertCount: registry.metric("vmagent_rows_per_insert_count", t),
        rowsRead: registry.metric("vm_protoparser_rows_read_total", t),
        invalid: registry.metric("vm_rows_invalid_total", t),
        readErrors: registry.metric("vm_protoparser_read_errors_total", t),
        unmarshalErrors: registry.metric("vm_protoparser_unmarshal_errors_total", t),
      };
      this.#byType.set(name, m);
    }
    return m;
  }
}

/** The label cache's figures, summed over workers in /metrics. */
export function registerCacheMetrics(registry: Registry, w: SeriesWriter): void {
  const c = w.cache;
  registry.gauge("drover_label_cache_hits_total", undefined, () => c.hits);
  registry.gauge("drover_label_cache_misses_total", undefined, () => c.misses);
  registry.gauge("drover_label_cache_resets_total", undefined, () => c.resets);
  registry.gauge("drover_label_cache_entries", undefined, () => c.size);
  registry.gauge("drover_label_cache_bytes", undefined, () => c.byteSize);
}
