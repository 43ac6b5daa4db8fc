/**
 * A sampling CPU profile of every thread, for finding where Drover's time
 * goes under a benchmark (`bun --cpu-prof` only covers the main thread).
 * Off unless `DROVER_PROFILE_DIR` is set; then each thread samples its
 * stacks (JSC's sampling profiler, 1 ms) and rewrites
 * `<dir>/<thread>.txt` every 5 s with its top functions by self and by total
 * samples (`function file:line`).
 *
 * @module
 */

import { profile } from "bun:jsc";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

interface Frame {
  name: string;
  sourceURL?: string;
  line: number;
}

/** The source tree's root (or the compiled binary's embedded one), cut from file names. */
const ROOT = new URL("..", import.meta.url).pathname;

const key = (f: Frame): string => {
  const file = f.sourceURL ?? "native";
  return `${f.name || "(anonymous)"} ${file.startsWith(ROOT) ? file.slice(ROOT.length) : file}:${f.line}`;
};

/**
 * Starts the profiler on this thread when DROVER_PROFILE_DIR is set; returns
 * a function that stops it after the current round, or null when it is off.
 */
export function startThreadProfile(thread: string, roundMs = 5000): (() => void) | null {
  const dir = process.env.DROVER_PROFILE_DIR;
  if (dir === undefined || dir === "") return null;
  let stopped = false;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let samples = 0;
  const top = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, n]) =>
      `${(100 * n / samples).toFixed(1).padStart(5)}% ${String(n).padStart(6)} ${k}`
    ).join("\n");
  const round = async (): Promise<void> => {
    // profile() samples this thread's stacks until the promise settles: everything the thread runs meanwhile.
    const p = await profile(() => Bun.sleep(roundMs), 1000);
    for (const t of p.stackTraces.traces) {
      if (t.frames.length === 0) continue;
      samples++;
      const first = key(t.frames[0]!);
      self.set(first, (self.get(first) ?? 0) + 1);
      const seen = new Set<string>();
      for (const f of t.frames) {
        const k = key(f);
        if (seen.has(k)) continue;
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + 1);
      }
    }
    try {
      writeFileSync(
        join(dir, `${thread}.txt`),
        `${thread}: ${samples} samples (1 ms each)\n\n## self\n${top(self)}\n\n## total\n${top(total)}\n`,
      );
    } catch {
      // A development aid never takes the process down (e.g. the directory went away).
    }
    if (!stopped) void round();
  };
  void round();
  return () => {
    stopped = true;
  };
}
