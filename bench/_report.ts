/**
 * Report helpers shared by the end-to-end benchmarks: number formatting,
 * the drover/vmagent comparison table, agent versions, the self-metrics
 * shown when a run went wrong, and the JSON results file.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { ROOT } from "../tests/_harness.ts";
import { type AgentKind, type AgentUnderTest, appVersion } from "./_procs.ts";

/** Progress line on stderr (stdout carries only the report). */
export function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

export const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** The `q` quantile (0..1, nearest rank) of `xs`; NaN when empty. Does not modify `xs`. */
export function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = xs.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Drover's `-version` output, or "unknown". */
export function droverVersion(): string {
  const r = Bun.spawnSync([process.execPath, join(ROOT, "main.ts"), "-version"], { cwd: ROOT });
  return r.stdout.toString().trim() || "unknown";
}

/** Version of a running agent: vmagent's `vm_app_version` label, Drover's `-version`. */
export async function agentVersion(a: AgentUnderTest): Promise<string> {
  return a.kind === "vmagent" ? await appVersion(`${a.url}/metrics`) : droverVersion();
}

/** The lines of `a`'s /metrics page whose text matches `pattern`, or why they could not be read. */
export async function selectedMetrics(a: AgentUnderTest, pattern: RegExp): Promise<string> {
  try {
    const text = await (await fetch(`${a.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    return text.split("\n").filter((l) => pattern.test(l)).join("\n");
  } catch (e) {
    return `Cannot read ${a.url}/metrics: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Stops `a` (and exits 130) on Ctrl-C or SIGTERM until the returned function
 * is called, so an interrupted run never leaves the agent and VM running.
 */
export function closeOnSignal(a: AgentUnderTest): () => void {
  const onSignal = (): void => void a.close().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/** One row of the comparison table: a numeric field of the per-agent result. */
export interface Row<R> {
  label: string;
  key: keyof R & string;
  show: (n: number) => string;
}

/**
 * The per-agent figures side by side, plus a drover/vmagent ratio column
 * when both agents ran; returns the text and the ratios by key.
 */
export function comparisonTable<R extends { agent: AgentKind }>(
  results: R[],
  rows: Row<R>[],
): { text: string; ratios: Record<string, number> } {
  const d = results.find((r) => r.agent === "drover");
  const v = results.find((r) => r.agent === "vmagent");
  const head = ["figure", ...results.map((r) => r.agent), ...(d && v ? ["drover/vmagent"] : [])];
  const lines: string[][] = [head];
  const ratios: Record<string, number> = {};
  for (const row of rows) {
    const cells = [row.label, ...results.map((r) => row.show(r[row.key] as number))];
    if (d && v) {
      const ratio = (d[row.key] as number) / (v[row.key] as number);
      ratios[row.key] = ratio;
      cells.push(Number.isFinite(ratio) ? `${fmt(ratio, 2)}×` : "n/a");
    }
    lines.push(cells);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  const text = lines
    .map((l, li) => {
      const s = l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
      return li === 0 ? `${s}\n${"-".repeat(s.length)}` : s;
    })
    .join("\n");
  return { text, ratios };
}

/** The machine the run happened on, for the JSON results. */
export function machineInfo(): { cpus: number; model: string; bun: string } {
  return { cpus: availableParallelism(), model: cpus()[0]?.model ?? "unknown", bun: Bun.version };
}

/** Writes `json` to `<dir>/<name>-<UTC timestamp>.json` and returns the path. */
export function writeResults(dir: string, name: string, json: unknown): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  const file = join(dir, `${name}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}
