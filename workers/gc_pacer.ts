/**
 * Collects garbage when a thread's heap has grown, instead of waiting for
 * JavaScriptCore to notice.
 *
 * Drover's threads churn through large ArrayBuffers (request bodies, socket
 * chunks, blocks, compressed records, HTTP bodies). Their memory lives
 * outside the JS heap, and JSC's own heuristics let megabytes of dead
 * buffers pile up between collections: under push load the process's RSS
 * swung between 150 and 270 MB with a live set under 100 MB. So each thread
 * checks its heap size (JS objects plus ArrayBuffer memory, a cheap read)
 * every `intervalMs` (ten times less often while the process uses under a
 * fifth of a core) and runs a full collection when it has grown by `growBytes` since the
 * last. An idle thread never collects. Under push load a collection takes
 * 5–10 ms (`drover_gc_pacer_seconds_total{thread}`), so garbage is worth
 * avoiding at its source. `DROVER_GC_PACER=0` turns it off
 * (for benchmarking its cost).
 *
 * @module
 */

import { fullGC, heapSize } from "bun:jsc";
import type { Registry } from "../selfmetrics/registry.ts";

/** How often the heap size is read. */
export const GC_PACER_INTERVAL_MS = 100;
/** Share of one core the whole process must use for the pacer to look every interval rather than every ten. */
const BUSY_SHARE = 0.2;
/** Growth since the last collection that triggers one. */
export const GC_PACER_GROW_BYTES = 8 * 1024 * 1024;

/**
 * Starts the pacer on this thread (one per thread); counts its collections
 * in `drover_gc_pacer_collections_total{thread}`. Returns a stop function.
 * `sizeOf` reads the heap size and `busyShare` is the share of a core above
 * which the process counts as busy (tests pass their own).
 */
export function startGcPacer(
  r: Registry,
  thread: string,
  intervalMs = GC_PACER_INTERVAL_MS,
  growBytes = GC_PACER_GROW_BYTES,
  sizeOf: () => number = heapSize,
  busyShare = BUSY_SHARE,
): () => void {
  const collections = r.metric("drover_gc_pacer_collections_total", { thread });
  const seconds = r.metric("drover_gc_pacer_seconds_total", { thread });
  if (process.env.DROVER_GC_PACER === "0") return () => {};
  let base = sizeOf();
  let cpu = process.cpuUsage();
  let at = performance.now();
  let timer: ReturnType<typeof setTimeout>;
  const check = () => {
    const size = sizeOf();
    // JSC collected on its own: measure growth from there.
    if (size < base) base = size;
    if (size - base >= growBytes) {
      const t0 = performance.now();
      fullGC();
      seconds.inc((performance.now() - t0) / 1000);
      collections.inc();
      base = sizeOf();
    }
    // While the process is nearly idle (under a fifth of a core: a small scrape load, a cluster member) garbage
    // comes slowly, and ten wake-ups a second per thread would cost more than they save: look ten times less often.
    const now = performance.now();
    const c = process.cpuUsage();
    const busy = c.user - cpu.user + c.system - cpu.system >= (now - at) * 1000 * busyShare;
    cpu = c;
    at = now;
    timer = setTimeout(check, busy ? intervalMs : intervalMs * 10);
    timer.unref();
  };
  timer = setTimeout(check, intervalMs);
  timer.unref();
  return () => clearTimeout(timer);
}
