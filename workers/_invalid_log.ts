/**
 * Logging of skipped (invalid) rows in a parse worker: at most one warning
 * per second per worker, the rest only counted and mentioned in the next
 * warning (workers/parse_worker.ts).
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";

/** Rate-limited warnings about skipped rows. */
export class InvalidRowLog {
  /** The worker's current logger (it is replaced at init). */
  readonly #log: () => Logger;
  #lastAt = 0;
  #suppressed = 0;

  constructor(log: () => Logger) {
    this.#log = log;
  }

  /** Logs a skipped row at most once per second; the rest are counted. */
  report(type: string, reason: string, line: string | undefined): void {
    const now = Date.now();
    if (now - this.#lastAt < 1000) {
      this.#suppressed++;
      return;
    }
    this.#lastAt = now;
    const shown = line === undefined
      ? ""
      : `; line: ${JSON.stringify(line.length > 200 ? line.slice(0, 200) + "…" : line)}`;
    const more = this.#suppressed > 0 ? ` (${this.#suppressed} more skipped rows not logged)` : "";
    this.#suppressed = 0;
    this.#log().warn(`skipping invalid ${type} row: ${reason}${shown}${more}`);
  }
}
