import { expect, test } from "bun:test";
import { heapSize } from "bun:jsc";
import { Registry } from "../selfmetrics/registry.ts";
import { startGcPacer } from "./gc_pacer.ts";

const MiB = 1024 * 1024;
const collections = (r: Registry, thread: string) =>
  r.snapshot().find(([key]) => key === `drover_gc_pacer_collections_total{thread="${thread}"}`)?.[1] ?? -1;

test("collects when the heap grew by the threshold since the last collection, never below it", async () => {
  const r = new Registry();
  // A heap size under the test's control (the pacer's fullGC() really runs, but the size moves only as set here).
  let live = 100 * MiB;
  let size = live;
  const sizeOf = () => size;
  const tick = () => Bun.sleep(40);
  const stopPacer = startGcPacer(r, "p", 10, 8 * MiB, sizeOf);
  try {
    size = live + 7 * MiB;
    await tick();
    expect(collections(r, "p")).toBe(0);
    size = live + 9 * MiB;
    await tick();
    expect(collections(r, "p")).toBe(1);
    // The collection freed it: growth is counted from the new base, not again from the old one.
    live += 2 * MiB;
    size = live;
    await tick();
    expect(collections(r, "p")).toBe(1);
    // JSC collected on its own (the size fell): growth is measured from there.
    size = live - 50 * MiB;
    await tick();
    size = live - 50 * MiB + 8 * MiB;
    await tick();
    expect(collections(r, "p")).toBe(2);
  } finally {
    stopPacer();
  }
});

test("on the real heap: the default size reader works and a collection runs", async () => {
  const r = new Registry();
  expect(heapSize()).toBeGreaterThan(0);
  // A threshold of one byte: any change of the heap between two reads triggers a collection.
  const stop = startGcPacer(r, "real", 10, 1);
  try {
    const held = Array.from({ length: 8 }, () => new Uint8Array(MiB).fill(1));
    for (let i = 0; i < 100 && collections(r, "real") < 1; i++) await Bun.sleep(10);
    expect(collections(r, "real")).toBeGreaterThanOrEqual(1);
    expect(held.length).toBe(8);
  } finally {
    stop();
  }
});
