import { describe, expect, test } from "bun:test";
import { firstScrapeDelayMs, labelsString, phaseKey, phaseNs, ScrapeClock } from "./phase.ts";

describe("scrape phase", () => {
  test("phaseNs() reproduces the phases measured on real vmagent v1.79.5", () => {
    // vmagent-dedup-ha.md §3.1: 4045.6 ms (cluster A) and 4303.2 ms (cluster B) for a 10s target;
    // the real binaries stamped samples ≡ 4045 and ≡ 4304 (mod 10000).
    const labels = labelsString([
      ["job", "demo"],
      ["instance", "127.0.0.1:18500"],
      ["__address__", "127.0.0.1:18500"],
    ]);
    expect(labels).toBe('{instance="127.0.0.1:18500",job="demo"}');
    const key = (c: string) => phaseKey(c, 0, "http://127.0.0.1:18500/metrics", labels);
    expect(key("A")).toBe(
      'clusterName=A, clusterMemberID=0, ScrapeURL=http://127.0.0.1:18500/metrics, Labels={instance="127.0.0.1:18500",job="demo"}',
    );
    expect(Math.round(phaseNs(key("A"), 10_000) / 1e5) / 10).toBe(4045.6);
    expect(Math.round(phaseNs(key("B"), 10_000) / 1e5) / 10).toBe(4303.2);
  });

  test("firstScrapeDelayMs() waits for the phase, or for scrape_align_interval/scrape_offset", () => {
    const f = (
      now: number,
      interval: number,
      phaseMs: number,
      opts: { alignIntervalMs?: number; offsetMs?: number },
      want: number,
    ) => expect(firstScrapeDelayMs(now, interval, phaseMs * 1e6, opts)).toBeCloseTo(want, 6);
    f(1_000_000, 10_000, 4045.6, {}, 4045.6);
    f(1_005_000, 10_000, 4045.6, {}, 9045.6);
    f(1_004_045, 10_000, 4045.6, {}, 0.6);
    // scrape_align_interval: 1m → next whole minute, modulo the interval.
    f(60_000 * 10 + 1_000, 60_000, 0, { alignIntervalMs: 60_000 }, 59_000);
    // scrape_offset: 5s → 5s after the next multiple of the interval.
    f(60_000 * 10 + 1_000, 60_000, 0, { offsetMs: 5_000 }, 4_000);
  });

  test("ScrapeClock steps exactly and resyncs beyond 10% drift", () => {
    const c = new ScrapeClock(1_000, 10_000);
    expect(c.next(1_003)).toBe(1_000);
    expect(c.next(11_500)).toBe(11_000);
    expect(c.next(21_999)).toBe(21_000);
    // 1.5s late: more than 10% of 10s → resync to the tick.
    expect(c.next(32_500)).toBe(32_500);
    expect(c.next(42_501)).toBe(42_500);
  });
});
