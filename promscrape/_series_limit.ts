/**
 * `series_limit` of a scrape target: the series (by raw key hash) seen in
 * the current 24h window, and how many samples of series beyond the limit
 * were dropped (promscrape/scrape_process.ts).
 *
 * @module
 */

import { HashSet64 } from "./_series_set.ts";

/** The series_limit window of one target (limit ≤ 0: no limit). */
export class SeriesLimit {
  readonly #limit: number;
  /** Series seen in the current 24h window. */
  #seen = new HashSet64();
  #windowStart = 0;
  /** Samples dropped because their series was over the limit. */
  dropped = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Series seen in the current window. */
  get size(): number {
    return this.#seen.size;
  }

  /** Forgets the series seen (the window stays). */
  reset(): void {
    this.#seen.reset();
  }

  /** At the start of a scrape at `ts`: starts a new window once 24h have passed. */
  startScrape(ts: number): void {
    if (this.#limit > 0 && ts - this.#windowStart >= 24 * 3600 * 1000) {
      this.#seen.reset();
      this.#windowStart = ts;
    }
  }

  /** Whether the series (by raw key hash) may be written. */
  allows(lo: number, hi: number): boolean {
    const limit = this.#limit;
    if (limit <= 0) return true;
    const seen = this.#seen;
    if (seen.has(lo, hi)) return true;
    if (seen.size >= limit) {
      this.dropped++;
      return false;
    }
    seen.add(lo, hi);
    return true;
  }
}
