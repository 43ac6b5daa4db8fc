/**
 * Benchmark helpers: start the agents under test (Drover or the real vmagent)
 * in front of a fresh VictoriaMetrics, and read a process's CPU time and peak
 * RSS from /proc. Both agents are single processes (Drover's threads are Bun
 * workers inside one process), so /proc/<pid> covers all of their work.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, freePort, Proc, ROOT, tempDir, VictoriaMetrics, waitFor } from "../tests/_harness.ts";

/** Clock ticks per second for utime/stime in /proc/<pid>/stat (`getconf CLK_TCK`). */
export const CLK_TCK: number = (() => {
  const r = Bun.spawnSync(["getconf", "CLK_TCK"]);
  const n = Number(r.stdout.toString().trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** CPU seconds (user + system, all threads) consumed so far by `pid`; `"self"` for this process. */
export function cpuSeconds(pid: number | "self"): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Field 2 (comm) may contain spaces; the fields after its closing parenthesis are space-separated.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

/** Peak resident set size (VmHWM) of `pid` in bytes. */
export function peakRssBytes(pid: number | "self"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (m === null) throw new SyntaxError(`Cannot parse /proc/${pid}/status: VmHWM is missing`);
  return Number(m[1]) * 1024;
}

/**
 * Sum of all series named `name` whose label text contains `labelFilter`
 * (e.g. `type="promremotewrite"`) in a Prometheus text page at `url`.
 */
export async function scrapeSum(url: string, name: string, labelFilter = ""): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const sp = line.lastIndexOf(" ");
    if (labelFilter !== "" && !line.slice(0, sp).includes(labelFilter)) continue;
    sum += Number(line.slice(sp + 1));
  }
  return sum;
}

/** The `version` label of `vm_app_version` at `metricsURL`, or "unknown". */
export async function appVersion(metricsURL: string): Promise<string> {
  const text = await (await fetch(metricsURL)).text();
  return /^vm_app_version\{[^}]*version="([^"]+)"/m.exec(text)?.[1] ?? "unknown";
}

/** Which relay is under test. */
export type AgentKind = "drover" | "vmagent";

/**
 * One agent under test plus the VictoriaMetrics it forwards to. Owns both
 * processes and their temp dirs until close().
 */
export interface AgentUnderTest {
  readonly kind: AgentKind;
  readonly pid: number;
  /** Base URL of the agent, e.g. http://127.0.0.1:1234 */
  readonly url: string;
  readonly vm: VictoriaMetrics;
  /** Agent log output captured so far (stdout + stderr). */
  output(): string;
  /** Stops the agent (SIGTERM, SIGKILL after 10s), then VM; removes temp dirs. Safe to call twice. */
  close(): Promise<void>;
}

async function stopWithin(p: Proc, ms: number): Promise<void> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill("SIGTERM");
  const exited = await Promise.race([p.proc.exited.then(() => true), Bun.sleep(ms).then(() => false)]);
  if (!exited) await p.kill();
}

/**
 * Starts a fresh VictoriaMetrics and `kind` forwarding to it, with equivalent
 * flags for both agents; `extraFlags` (e.g. `-graphiteListenAddr=...`) are
 * appended to the agent's command line.
 */
export async function startAgent(kind: AgentKind, extraFlags: readonly string[] = []): Promise<AgentUnderTest> {
  const vm = await VictoriaMetrics.start();
  const dir = tempDir(`bench-${kind}-`);
  const flags = [
    `-remoteWrite.url=${vm.writeURL}`,
    `-remoteWrite.tmpDataPath=${dir.path}`,
    "-loggerLevel=ERROR",
    ...extraFlags,
  ];
  let p: Proc | undefined;
  let port = 0;
  let closed = false;
  try {
    port = await freePort();
    // Drover logs "listening for HTTP" at INFO, hidden by -loggerLevel=ERROR, so both agents are polled on /health.
    const cmd = kind === "drover"
      ? [BUN, ...(process.env.DROVER_BUN_ARGS ?? "").split(" ").filter((a) => a !== ""), join(ROOT, "main.ts")]
      : ["vmagent"];
    // DROVER_FLAGS: extra Drover flags for experiments (e.g. DROVER_FLAGS=-ringBufferSize=4MiB).
    const extra = kind === "drover" ? (process.env.DROVER_FLAGS ?? "").split(" ").filter((a) => a !== "") : [];
    const ap = new Proc(kind, [...cmd, `-httpListenAddr=127.0.0.1:${port}`, ...flags, ...extra]);
    p = ap;
    await waitFor(
      `${kind} /health`,
      async () => {
        if (ap.proc.exitCode !== null) throw new Error(`${kind} exited early: ${ap.output}`);
        return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
      },
      30_000,
    );
  } catch (e) {
    const output = p?.output.slice(-2000) ?? "";
    if (p !== undefined) await stopWithin(p, 10_000);
    await stopWithin(vm.p, 10_000);
    vm.dir[Symbol.dispose]();
    dir[Symbol.dispose]();
    throw new Error(`Cannot start ${kind}: ${e instanceof Error ? e.message : String(e)}; output: ${output}`);
  }
  const agent = p;
  return {
    kind,
    pid: agent.pid,
    url: `http://127.0.0.1:${port}`,
    vm,
    output: () => agent.output,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await stopWithin(agent, 10_000);
      } finally {
        await stopWithin(vm.p, 10_000);
        vm.dir[Symbol.dispose]();
        dir[Symbol.dispose]();
      }
    },
  };
}

/** Machine-wide busy CPU seconds (all CPUs, everything but idle and iowait) from /proc/stat. */
export function machineBusySeconds(): number {
  const first = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const f = first.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
  const total = f.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return (total - (f[3] ?? 0) - (f[4] ?? 0)) / CLK_TCK;
}
