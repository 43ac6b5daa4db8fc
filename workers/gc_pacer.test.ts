import { expect, test } from "bun:test";
import { Registry } from "../selfmetrics/registry.ts";
import { startGcPacer } from "./gc_pacer.ts";

const collections = (r: Registry, thread: string) =>
  r.snapshot().find(([key]) => key === `drover_gc_pacer_collections_total{thread="${thread}"}`)?.[1] ?? -1;

test("collects once the heap grew past the threshold, and not below it", async () => {
  const r = new Registry();
  // Same heap, two thresholds: 8 MiB is crossed below, 4 GiB never is.
  const stopLow = startGcPacer(r, "low", 20, 8 * 1024 * 1024);
  const stopHigh = startGcPacer(r, "high", 20, 4 * 1024 * 1024 * 1024);
  try {
    // 32 MiB of buffers, kept reachable so that no collection of JSC's own can take the growth away first.
    const held = Array.from({ length: 32 }, () => new Uint8Array(1024 * 1024).fill(1));
    for (let i = 0; i < 100 && collections(r, "low") === 0; i++) await Bun.sleep(20);
    expect(collections(r, "low")).toBeGreaterThanOrEqual(1);
    expect(collections(r, "high")).toBe(0);
    expect(held.length).toBe(32);
  } finally {
    stopLow();
    stopHigh();
  }
});
