import { expect, test } from "bun:test";
import { heapSize } from "bun:jsc";
import { Registry } from "../selfmetrics/registry.ts";
import { startGcPacer } from "./gc_pacer.ts";

const collections = (r: Registry) =>
  r.snapshot().find(([key]) => key === 'drover_gc_pacer_collections_total{thread="test"}')?.[1] ?? -1;

test("collects once the heap grew past the threshold, and not while it stays put", async () => {
  const r = new Registry();
  const stop = startGcPacer(r, "test", 20, 8 * 1024 * 1024);
  try {
    await Bun.sleep(100);
    const idle = collections(r);
    expect(idle).toBe(0);
    // 32 MiB of buffers that nothing references any more.
    let garbage: Uint8Array[] | null = Array.from({ length: 32 }, () => new Uint8Array(1024 * 1024).fill(1));
    expect(garbage.length).toBe(32);
    garbage = null;
    const grown = heapSize();
    for (let i = 0; i < 50 && collections(r) === 0; i++) await Bun.sleep(20);
    expect(collections(r)).toBeGreaterThanOrEqual(1);
    // The buffers are gone from the heap figure the pacer watches.
    expect(heapSize()).toBeLessThan(grown / 2);
  } finally {
    stop();
  }
});
