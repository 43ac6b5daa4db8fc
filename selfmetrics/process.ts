/**
 * Process metrics with the names VictoriaMetrics components export, so the
 * usual vmagent dashboard panels (CPU, RSS, open files, uptime) work.
 *
 * @module
 */

import { heapStats } from "bun:jsc";
import { readdirSync } from "node:fs";
import type { Registry } from "./registry.ts";

function openFds(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}

/** Registers process_* and vm_app_* gauges on `r` (main thread only). */
export function registerProcessMetrics(r: Registry, version: string): void {
  const start = Date.now() / 1000;
  r.gauge("process_cpu_seconds_user_total", undefined, () => process.cpuUsage().user / 1e6);
  r.gauge("process_cpu_seconds_system_total", undefined, () => process.cpuUsage().system / 1e6);
  r.gauge("process_cpu_seconds_total", undefined, () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  });
  r.gauge("process_resident_memory_bytes", undefined, () => process.memoryUsage.rss());
  r.gauge("process_open_fds", undefined, openFds);
  r.gauge("process_start_time_seconds", undefined, () => start);
  r.gauge("vm_app_start_timestamp", undefined, () => Math.floor(start));
  r.gauge("vm_app_uptime_seconds", undefined, () => Date.now() / 1000 - start);
  r.gauge("vm_app_version", { version: `drover-v${version}`, short_version: `v${version}` }, () => 1);
  r.gauge("drover_heap_used_bytes", undefined, () => process.memoryUsage().heapUsed);
}

/**
 * Registers this thread's JavaScript heap figures, labelled `thread`: every
 * thread (main, parse workers, sender) has a heap of its own, so /metrics
 * shows where memory goes. `extra` is memory the heap owns outside itself
 * (ArrayBuffers: bodies, blocks, caches).
 */
export function registerThreadMemory(r: Registry, thread: string): void {
  const t = { thread };
  // heapStats() walks the heap (milliseconds on a large one): read it once per /metrics snapshot, not per gauge.
  let stats = heapStats();
  let at = performance.now();
  const current = () => {
    if (performance.now() - at > 100) {
      stats = heapStats();
      at = performance.now();
    }
    return stats;
  };
  r.gauge("drover_thread_heap_bytes", t, () => current().heapSize);
  r.gauge("drover_thread_heap_capacity_bytes", t, () => current().heapCapacity);
  r.gauge("drover_thread_heap_extra_bytes", t, () => current().extraMemorySize);
}
