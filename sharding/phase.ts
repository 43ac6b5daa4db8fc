/**
 * vmagent's scrape timing (reference: vmagent-dedup-ha.md §3), so a Drover
 * member scrapes a target at the same stable phase a vmagent member with the
 * same config, member number and cluster name would. HA replicas with
 * different `-promscrape.cluster.name` get different, stable phases, and
 * deduplicating storage keeps one consistent winner.
 *
 * @module
 */

import { goQuote } from "./go_format.ts";

/**
 * `{name="value",…}` of the final target labels (sorted by name, `__*`
 * removed), with Go `strconv.Quote` escaping, as vmagent's LabelsString.
 */
export function labelsString(labels: readonly (readonly [string, string])[]): string {
  const list = labels.filter(([k]) => !k.startsWith("__")).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${list.map(([k, v]) => `${k}=${goQuote(v)}`).join(",")}}`;
}

/** The exact string vmagent hashes for a target's phase. */
export function phaseKey(clusterName: string, memberNum: number, scrapeURL: string, labelsStr: string): string {
  return `clusterName=${clusterName}, clusterMemberID=${memberNum}, ScrapeURL=${scrapeURL}, Labels=${labelsStr}`;
}

const TWO_64 = 2 ** 64;

/**
 * The phase in ns within the interval: `uint64(float64(intervalNs) *
 * (float64(h) / 2^64))`. `Number(bigint)` rounds to nearest-even like Go's
 * uint64→float64 conversion, so the result is bit-identical.
 */
export function phaseNs(key: string, intervalMs: number): number {
  const h = Bun.hash.xxHash64(key) as bigint;
  return Math.trunc(intervalMs * 1e6 * (Number(h) / TWO_64));
}

/**
 * Milliseconds from `nowMs` to the first scrape. Default: the next instant
 * T with `T mod interval == phase`. With `scrape_align_interval` and/or
 * `scrape_offset` vmagent ignores the hash (§3.2).
 */
export function firstScrapeDelayMs(
  nowMs: number,
  intervalMs: number,
  phase: number,
  opts: { alignIntervalMs?: number; offsetMs?: number } = {},
): number {
  const offset = opts.offsetMs ?? 0;
  let align = opts.alignIntervalMs ?? 0;
  if (offset > 0) align = intervalMs;
  if (align > 0) {
    let sleep = align - (nowMs % align);
    if (offset > 0) sleep += offset;
    return sleep % intervalMs;
  }
  const phaseMs = phase / 1e6;
  const intoInterval = nowMs % intervalMs;
  let d = phaseMs - intoInterval;
  if (d < 0) d += intervalMs;
  return d;
}

/**
 * The timestamp of scrape n given the first one, with vmagent's resync:
 * fixed steps of `intervalMs`, unless the actual tick drifted more than 10%
 * of the interval from the expected timestamp; then the tick time is used
 * and becomes the new base.
 */
export class ScrapeClock {
  #expected: number;
  readonly #interval: number;
  constructor(firstTickMs: number, intervalMs: number) {
    this.#expected = firstTickMs;
    this.#interval = intervalMs;
  }
  /** Timestamp for a tick that fired at `tickMs`. */
  next(tickMs: number): number {
    let ts = this.#expected;
    if (Math.abs(tickMs - ts) > this.#interval / 10) ts = tickMs;
    this.#expected = ts + this.#interval;
    return ts;
  }
}
