/**
 * A target's previous scrape and how the current one differs from it, for
 * `scrape_series_added` and stale markers (promscrape/scrape_process.ts),
 * as vmagent 1.79.5 does it (lib/promscrape/scrapework.go: scrapeInternal,
 * getSeriesAdded, sendStaleSeries; lib/protoparser/prometheus: GetRowsDiff,
 * AreIdenticalSeriesFast):
 *
 * - A scrape that lists the previous rows again, in the same order (the
 *   usual case), adds nothing and marks nothing stale; only hashes are
 *   compared and nothing is stored.
 * - Otherwise `scrape_series_added` counts the rows, before relabeling, that
 *   find no copy left among the previous rows: all rows on the first scrape,
 *   a new series listed twice counts twice, one listed once before and twice
 *   now counts once. Rows are compared by their key in vmagent's form
 *   (_row_hash.ts).
 * - The previous rows whose series the scrape lacks get a stale marker each.
 * - What becomes "the previous rows" is up to the caller: a good scrape's
 *   rows, a scrape over `sample_limit`'s rows too, nothing after a failure.
 *
 * Deliberately not as vmagent: a series still in the scrape gets no stale
 * marker when it is listed fewer times than before (vmagent writes one for
 * each row it lost, next to the series' new sample), and rows are matched
 * whatever their order (vmagent sorts the raw lines and merges them, which
 * goes astray for lines not in the usual form, e.g. `m{a="1",}`).
 *
 * @module
 */

import type { ScrapeStats } from "./_auto_series.ts";
import { HashCounts, HashList, KeyStore } from "./_series_set.ts";

/** Writes a stale marker for the series of raw key `key[0, len)`, whose row hash is (lo, hi). */
export type StaleWriter = (key: Uint8Array, len: number, lo: number, hi: number) => void;

// Worker-wide scratch for the scrapes parsed in one go (one at a time, synchronously).
const sharedRows = new HashList();
const sharedPrevRows = new HashCounts();

/** Bookkeeping of one scrape (or of one stream-parsed scrape across its parts). */
export interface ScrapeRun {
  ts: number;
  /** Rows so far, and whether each was the previous scrape's row at the same position. */
  n: number;
  identical: boolean;
  /** Raw keys of this scrape's rows, once it differs from the previous one (null before, and when not tracking). */
  keys: KeyStore | null;
  /**
   * Hashes of this scrape's rows, and the previous rows as a multiset once
   * they differ (this scrape's rows take theirs). A stream-parsed scrape has
   * its own (other scrapes run between its parts); the others share the
   * worker's.
   */
  rows: HashList;
  prevRows: HashCounts;
  stats: ScrapeStats;
}

/** The rows of a target's previous scrape: hashes and raw keys in order. */
export class PreviousScrape {
  /** Null: none (no scrape yet, or the last one failed). */
  #rows: HashList | null = null;
  #keys: KeyStore | null = null;
  readonly #track: boolean;

  /** `track`: keep rows at all (false with `no_stale_markers`: then nothing is compared either). */
  constructor(track: boolean) {
    this.#track = track;
  }

  /** Starts a scrape at `ts`; `own` gives it its own row lists (streams). */
  begin(ts: number, own: boolean): ScrapeRun {
    const run: ScrapeRun = {
      ts,
      n: 0,
      identical: this.#rows !== null,
      keys: null,
      rows: own ? new HashList() : sharedRows,
      prevRows: own ? new HashCounts() : sharedPrevRows,
      stats: { up: true, samplesScraped: 0, samplesPostRelabel: 0, seriesAdded: 0, staleMarkers: 0, error: "" },
    };
    run.rows.length = 0;
    // Nothing to compare with: every row is new.
    if (!run.identical) this.#diverge(run, 0);
    return run;
  }

  /**
   * The scrape stops matching the previous one at row `i`: index the previous
   * rows (the first `i` taken by this scrape's) and start keeping keys.
   */
  #diverge(run: ScrapeRun, i: number): void {
    run.identical = false;
    const prev = this.#rows;
    const prevRows = run.prevRows;
    prevRows.reset(prev?.length ?? 0);
    if (prev !== null) {
      for (let k = 0; k < prev.length; k++) prevRows.add(prev.lo[k]!, prev.hi[k]!);
      for (let k = 0; k < i; k++) prevRows.take(prev.lo[k]!, prev.hi[k]!);
    }
    if (this.#track) run.keys = this.#keys !== null && i > 0 ? this.#keys.prefix(i) : new KeyStore();
  }

  /** The next row of the scrape: hash (lo, hi), raw key `src[a, b)`. Counts it in seriesAdded if new. */
  row(run: ScrapeRun, lo: number, hi: number, src: Uint8Array, a: number, b: number): void {
    if (!this.#track) return;
    const i = run.n++;
    run.rows.push(lo, hi);
    const prev = this.#rows;
    if (!(run.identical && i < prev!.length && prev!.lo[i] === lo && prev!.hi[i] === hi)) {
      if (run.identical) this.#diverge(run, i);
      if (!run.prevRows.take(lo, hi)) run.stats.seriesAdded++;
    }
    run.keys?.append(src, a, b);
  }

  /** Whether the scrape listed exactly the previous rows, in order (always, when not tracking). */
  same(run: ScrapeRun): boolean {
    return !this.#track || (run.identical && run.n === this.#rows!.length);
  }

  /**
   * The scrape's rows become the previous ones, after stale markers for the
   * previous rows: those whose series the scrape lacks if `vanished`, else
   * all. Returns how many were written.
   */
  remember(run: ScrapeRun, vanished: boolean, stale: StaleWriter): number {
    if (!this.#track) return 0;
    if (run.identical) this.#diverge(run, run.n);
    const n = this.#stale(vanished ? run.prevRows : null, stale);
    this.#rows = run.rows.trimmed();
    this.#keys = run.keys!.trimmed();
    return n;
  }

  /** Stale markers for every previous row, which are then forgotten; returns how many. */
  forget(stale: StaleWriter): number {
    const n = this.#stale(null, stale);
    this.#rows = null;
    this.#keys = null;
    return n;
  }

  /** Stale markers for the previous rows, one a row, but those whose series `current` saw (all when null). */
  #stale(current: HashCounts | null, stale: StaleWriter): number {
    const prev = this.#rows;
    const keys = this.#keys;
    if (prev === null || keys === null) return 0;
    let n = 0;
    keys.forEach((buf, len, i) => {
      const lo = prev.lo[i]!;
      const hi = prev.hi[i]!;
      if (current !== null && current.seen(lo, hi)) return;
      stale(buf, len, lo, hi);
      n++;
    });
    return n;
  }
}
