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
  const stopPacer = startGcPacer(r, "p", 10, 8 * MiB, sizeOf, 0);
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

test("on the real heap of a fresh thread: buffers count as growth and a collection runs", async () => {
  // A process of its own: in this one, other test files' heaps and collections move the figure too.
  const script = `
    import { startGcPacer } from ${JSON.stringify(new URL("./gc_pacer.ts", import.meta.url).pathname)};
    import { Registry } from ${JSON.stringify(new URL("../selfmetrics/registry.ts", import.meta.url).pathname)};
    const r = new Registry();
    const stop = startGcPacer(r, "real", 20, 8 * 1024 * 1024);
    const held = Array.from({ length: 32 }, () => new Uint8Array(1024 * 1024).fill(1));
    let n = 0;
    for (let i = 0; i < 100 && n === 0; i++) {
      await Bun.sleep(20);
      n = r.snapshot().find(([k]) => k.startsWith("drover_gc_pacer_collections_total"))?.[1] ?? 0;
    }
    stop();
    console.log(JSON.stringify({ collections: n, held: held.length }));
  `;
  const p = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  expect(await p.exited, err).toBe(0);
  const got = JSON.parse(out.trim()) as { collections: number; held: number };
  expect(got.held).toBe(32);
  expect(got.collections).toBeGreaterThanOrEqual(1);
  expect(heapSize()).toBeGreaterThan(0);
});
