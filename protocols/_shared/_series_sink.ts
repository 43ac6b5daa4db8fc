/**
 * The types around SeriesWriter (series_writer.ts, which re-exports them): label pairs, the {@linkcode SeriesSink}
 * interface parsers write to, and the relabeling step and label list the writer hands to the relabel engine (injected,
 * so the writer stays free of it).
 *
 * @module
 */

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
