/**
 * Pieces of bench/scrape.bench.ts that talk to processes: the target farm
 * child (bench/_scrape_farm.ts) and the probes that read the agents'
 * /api/v1/targets and /metrics and victoria-metrics' sample counts.
 *
 * @module
 */

import { join } from "node:path";
import { BUN, Proc, ROOT } from "../tests/_harness.ts";
import { type AgentUnderTest, scrapeSum } from "./_procs.ts";

/** What the farm and its scrape config need to know about a scenario. */
export interface FarmShape {
  readonly targets: number;
  readonly series: number;
  /** Scrape interval (and timeout), seconds. */
  readonly interval: number;
}

export interface FarmStats {
  served: number;
  servedBytes: number;
  paused503: number;
  perTarget: number[];
  gapsMs: number[];
  renderSeconds: number;
  bodyBytes: number;
}

/** The target farm child process; owns it until close(). */
export class Farm {
  readonly p: Proc;
  readonly ports: number[];
  readonly bodyBytes: number;

  private constructor(p: Proc, ports: number[], bodyBytes: number) {
    this.p = p;
    this.ports = ports;
    this.bodyBytes = bodyBytes;
  }

  static async start(sc: FarmShape, o: { listeners: number; gzip: boolean }): Promise<Farm> {
    const args = [
      `--targets=${sc.targets}`,
      `--series=${sc.series}`,
      `--listeners=${o.listeners}`,
      ...(o.gzip ? ["--gzip"] : []),
    ];
    const p = new Proc("farm", [BUN, join(ROOT, "bench", "_scrape_farm.ts"), ...args]);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const line = p.output.split("\n").find((l) => l.startsWith('{"ports"'));
      if (line !== undefined) {
        const j = JSON.parse(line) as { ports: number[]; bodyBytes: number };
        return new Farm(p, j.ports, j.bodyBytes);
      }
      if (p.proc.exitCode !== null || Date.now() > deadline) {
        await p.kill();
        throw new Error(`Cannot start the scrape farm: ${p.output.slice(-2000)}`);
      }
      await Bun.sleep(50);
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.ports[0]}`;
  }

  /** Counters since the previous call, which zeroes them. */
  async take(): Promise<FarmStats> {
    return (await (await fetch(`${this.url}/farm/stats?reset=1`)).json()) as FarmStats;
  }

  async pause(on: boolean): Promise<void> {
    await fetch(`${this.url}/farm/${on ? "pause" : "resume"}`, { method: "POST" });
  }

  /** A promscrape config with one static target per farm page. */
  config(sc: FarmShape): string {
    let y = "global:\n  scrape_interval: " +
      `${sc.interval}s\n  scrape_timeout: ${sc.interval}s\nscrape_configs:\n  - job_name: farm\n    static_configs:\n`;
    for (let k = 0; k < sc.targets; k++) {
      const port = this.ports[k % this.ports.length]!;
      // Distinct instance labels: targets share a few ports and differ only by path.
      y +=
        `      - targets: ["127.0.0.1:${port}"]\n        labels: {__metrics_path__: "/metrics/${k}", instance: "node-${k}:9100"}\n`;
    }
    return y;
  }

  async close(): Promise<void> {
    if (this.p.proc.exitCode !== null || this.p.proc.signalCode !== null) return;
    await this.p.stop();
  }
}

export interface TargetSample {
  key: string;
  lastScrape: string;
  durationMs: number;
  health: string;
  lastError: string;
}

export async function readTargets(a: AgentUnderTest): Promise<TargetSample[]> {
  const res = await fetch(`${a.url}/api/v1/targets`, { signal: AbortSignal.timeout(10_000) });
  const j = (await res.json()) as { data?: { activeTargets?: Record<string, unknown>[] } };
  return (j.data?.activeTargets ?? []).map((t) => ({
    key: `${String(t.scrapeUrl)} ${JSON.stringify(t.labels)}`,
    lastScrape: String(t.lastScrape),
    durationMs: Number(t.lastScrapeDuration) * 1000,
    health: String(t.health),
    lastError: String(t.lastError ?? ""),
  }));
}

/** Samples every member's /api/v1/targets until `stop` resolves; collects each new scrape's duration once. */
export async function pollTargets(members: AgentUnderTest[], everyMs: number, stop: Promise<void>) {
  const seen = new Map<string, string>();
  const durations: number[] = [];
  let down = 0;
  let errors = 0;
  let stopped = false;
  /** The targets of the last complete poll (all members), for the trouble report. */
  let last: TargetSample[] = [];
  void stop.then(() => (stopped = true));
  while (!stopped) {
    const round: TargetSample[] = [];
    for (const a of members) {
      try {
        const ts = await readTargets(a);
        round.push(...ts);
        for (const t of ts) {
          if (t.health === "down") down++;
          if (seen.get(t.key) === t.lastScrape || t.lastScrape.startsWith("0001")) continue;
          seen.set(t.key, t.lastScrape);
          durations.push(t.durationMs);
        }
      } catch {
        errors++;
      }
    }
    if (round.length > 0) last = round;
    await Promise.race([Bun.sleep(everyMs), stop]);
  }
  return { durations, down, errors, last };
}

/** `name` summed from the agent's /metrics, or NaN when an overloaded agent does not answer within 15 s. */
export function sumOrNaN(a: AgentUnderTest, name: string): Promise<number> {
  return Promise.race([scrapeSum(`${a.url}/metrics`, name).catch(() => NaN), Bun.sleep(15_000).then(() => NaN)]);
}

async function vmQuery(a: AgentUnderTest, q: string): Promise<number> {
  const u = `${a.vm.url}/api/v1/query?query=${encodeURIComponent(q)}&time=${Date.now() / 1000}&nocache=1`;
  const res = await fetch(u);
  const text = await res.text();
  if (!res.ok) throw new Error(`Cannot query ${q}: ${res.status} ${text.slice(0, 500)}`);
  const j = JSON.parse(text) as { status: string; error?: string; data?: { result?: { value: [number, string] }[] } };
  if (j.status !== "success") throw new Error(`Cannot query ${q}: ${j.error ?? "unknown error"}`);
  return Number(j.data?.result?.[0]?.value[1] ?? 0);
}

/**
 * Data samples (not `up`/`scrape_*`) VM holds for the farm job, and the sum
 * of `up`. Counted in ten instance slices so no query touches more series than
 * VM's default -search.maxUniqueTimeseries.
 */
export async function vmCounts(a: AgentUnderTest, rangeSeconds: number): Promise<{ data: number; up: number }> {
  await fetch(`${a.vm.url}/internal/force_flush`);
  const r = `${Math.ceil(rangeSeconds)}s`;
  let data = 0;
  // One at a time: VM queues concurrent queries beyond -search.maxConcurrentRequests.
  for (let d = 0; d < 10; d++) {
    data += await vmQuery(
      a,
      `sum(count_over_time({job="farm",instance=~"node-[0-9]*${d}:9100",__name__!~"up|scrape_.*"}[${r}]))`,
    );
  }
  const up = await vmQuery(a, `sum(sum_over_time(up{job="farm"}[${r}]))`);
  return { data, up };
}
