/**
 * The auto-generated series of a scrape target (`up`,
 * `scrape_duration_seconds`, `scrape_samples_scraped`, …), written in
 * vmagent's order after each scrape, and as stale markers when the target
 * goes away (promscrape/scrape_process.ts): vmagent 1.79.5 marks five of
 * them stale then (lib/promscrape/scrapework.go, sendStaleSeries with
 * addAutoSeries): not `scrape_timeout_seconds` nor the limits, whose values
 * do not change while the target lives.
 *
 * @module
 */

import { LabelEncoder } from "../protocols/_shared/label_encoder.ts";
import type { SeriesWriter } from "../protocols/_shared/series_writer.ts";
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

/** The auto series vmagent 1.79.5 marks stale when a target goes away, in its order. */
const STALE_ON_REMOVAL = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
];

/** Writes one target's auto series, with its target and external labels. */
export class AutoSeries {
  readonly #work: ScrapeWork;
  readonly #targetNames: string[];
  readonly #targetValues: string[];
  readonly #extNames: string[];
  readonly #extValues: string[];
  /** Encoded target labels, then external labels they lack (see TargetScrapeState). */
  readonly #tail: Uint8Array;
  readonly #tailCount: number;
  /** Encoded labels of each auto series, by name (built on first use). */
  #autoLabels = new Map<string, { bytes: Uint8Array; count: number }>();

  /** `tail`: the encoded target labels, then the external labels they lack. */
  constructor(work: ScrapeWork, tail: Uint8Array, tailCount: number) {
    this.#work = work;
    this.#targetNames = work.labels.map((p) => p[0]);
    this.#targetValues = work.labels.map((p) => p[1]);
    this.#extNames = work.externalLabels.map((p) => p[0]);
    this.#extValues = work.externalLabels.map((p) => p[1]);
    this.#tail = tail;
    this.#tailCount = tailCount;
  }

  #writeAuto(w: SeriesWriter, name: string, v: number, ts: number, stale: boolean): void {
    if (!w.rulesFree) {
      w.begin();
      w.label("__name__", name);
      for (let t = 0; t < this.#targetNames.length; t++) w.label(this.#targetNames[t]!, this.#targetValues[t]!);
      for (let e = 0; e < this.#extNames.length; e++) {
        if (!this.#targetNames.includes(this.#extNames[e]!)) w.label(this.#extNames[e]!, this.#extValues[e]!);
      }
      if (stale) w.staleSample(ts);
      else w.sample(v, ts);
      w.end();
      return;
    }
    let a = this.#autoLabels.get(name);
    if (a === undefined) {
      const enc = new LabelEncoder();
      enc.add("__name__", name);
      const bytes = new Uint8Array(enc.length + this.#tail.length);
      bytes.set(enc.buf.subarray(0, enc.length));
      bytes.set(this.#tail, enc.length);
      a = { bytes, count: 1 + this.#tailCount };
      this.#autoLabels.set(name, a);
    }
    w.builder.appendSeries(a.bytes, 0, a.bytes.length, a.count, v, ts, stale);
    w.seriesWritten(1);
  }

  /** The auto series of one scrape; `seriesCurrent` and `seriesDropped` are the series_limit figures. */
  write(
    w: SeriesWriter,
    ts: number,
    durationMs: number,
    s: ScrapeStats,
    seriesCurrent: number,
    seriesDropped: number,
  ): void {
    const put = (name: string, v: number) => this.#writeAuto(w, name, v, ts, false);
    put("up", s.up ? 1 : 0);
    put("scrape_duration_seconds", durationMs / 1000);
    put("scrape_samples_scraped", s.samplesScraped);
    put("scrape_samples_post_metric_relabeling", s.samplesPostRelabel);
    put("scrape_series_added", s.seriesAdded);
    put("scrape_timeout_seconds", this.#work.timeoutMs / 1000);
    if (this.#work.sampleLimit > 0) put("scrape_samples_limit", this.#work.sampleLimit);
    if (this.#work.seriesLimit > 0) {
      put("scrape_series_limit", this.#work.seriesLimit);
      put("scrape_series_current", seriesCurrent);
      put("scrape_series_limit_samples_dropped", seriesDropped);
    }
  }

  /** Stale markers for the auto series vmagent marks stale when the target goes away; returns how many. */
  writeStale(w: SeriesWriter, ts: number): number {
    for (const name of STALE_ON_REMOVAL) this.#writeAuto(w, name, 0, ts, true);
    return STALE_ON_REMOVAL.length;
  }
}
