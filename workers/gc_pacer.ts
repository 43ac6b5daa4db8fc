/**
 * Collects garbage when a thread's heap has grown, instead of waiting for
 * JavaScriptCore to notice.
 *
 * Drover's threads churn through large ArrayBuffers (request bodies, socket
 * chunks, blocks, compressed records, HTTP bodies). Their memory lives
 * outside the JS heap, and JSC's own heuristics let megabytes of dead
 * buffers pile up between collections: under push load the process's RSS
 * swung between 150 and 270 MB with a live set under 100 MB. A full
 * collection of a heap like ours takes well under a millisecond (the big
 * objects are typed arrays, whose contents are not scanned), so each thread
 * checks its heap size (JS objects plus ArrayBuffer memory, a cheap read)
 * every `intervalMs` and runs one when it has grown by `growBytes` since the
 * last. An idle thread never collects. `DROVER_GC_PACER=0` turns it off
 * (for benchmarking its cost).
 *
 * @module
 */

import { fullGC, heapSize } from "bun:jsc";
import type { Registry } from "../selfmetrics/registry.ts";

/** How often the heap size is read. */
export const GC_PACER_INTERVAL_MS = 100;
/** Growth since the last collection that triggers one. */
export const GC_PACER_GROW_BYTES = 8 * 1024 * 1024;

/**
 * Starts the pacer on this thread (one per thread); counts its collections
 * in `drover_gc_pacer_collections_total{thread}`. Returns a stop function.
 * `sizeOf` reads the heap size (tests pass their own).
 */
export function startGcPacer(
  r: Registry,
  thread: string,
  intervalMs = GC_PACER_INTERVAL_MS,
  growBytes = GC_PACER_GROW_BYTES,
  sizeOf: () => number = heapSize,
): () => void {
  const collections = r.metric("drover_gc_pacer_collections_total", { thread });
  if (process.env.DROVER_GC_PACER === "0") return () => {};
  let base = sizeOf();
  const timer = setInterval(() => {
    const size = sizeOf();
    // JSC collected on its own: measure growth from there.
    if (size < base) base = size;
    if (size - base < growBytes) return;
    fullGC();
    collections.inc();
    base = sizeOf();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
