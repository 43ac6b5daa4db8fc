/**
 * Shared pieces of the cluster and HA integration tests (tests/cluster.test.ts):
 * a local target farm, a scrape config that turns a few servers into many
 * distinct targets, a remote-write sink, target-list fetching and
 * dedup-bucket checks on a VictoriaMetrics export.
 *
 * @module
 */

import type { ExportedSeries } from "./_harness.ts";

/** `n` Bun.serve targets; each answers with a few gauges. Stop with stop(). */
export function startFarm(n: number): { ports: number[]; stop(): void } {
  const servers = Array.from({ length: n }, (_, i) =>
    Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const x = new URL(req.url).searchParams.get("x") ?? "none";
        return new Response(`# TYPE temp gauge\ntemp{sensor="a"} ${20 + i}\ntemp{sensor="b",x="${x}"} ${-1.5 * i}\n`);
      },
    }));
  return { ports: servers.map((s) => s.port!), stop: () => servers.forEach((s) => s.stop(true)) };
}

/** A remote-write receiver that accepts and discards everything. */
export function startSink(): { url: string; stop(): void } {
  const s = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      await req.arrayBuffer();
      return new Response(null, { status: 204 });
    },
  });
  return { url: `http://127.0.0.1:${s.port}/api/v1/write`, stop: () => s.stop(true) };
}

export const EXTERNAL = { dc: "eu1", region: "west" } as const;

/**
 * Three jobs over the farm's ports: `plain` (one target per port and static
 * group), `probe` (params, relabel-added labels) and `xparam` (a distinct
 * `__param_x` per group, so the same address yields distinct URLs).
 * Targets: ports × (groups.plain + groups.probe + groups.xparam).
 */
export function farmConfig(
  ports: number[],
  intervalS: number,
  groups = { plain: 8, probe: 6, xparam: 7 },
): { yaml: string; targets: number } {
  const addrs = `[${ports.map((p) => `"127.0.0.1:${p}"`).join(", ")}]`;
  const g = (n: number, labels: (k: number) => string) =>
    Array.from({ length: n }, (_, k) => `      - targets: ${addrs}\n        labels: { ${labels(k)} }`).join("\n");
  const yaml = `global:
  scrape_interval: ${intervalS}s
  scrape_timeout: ${intervalS}s
  external_labels: { dc: ${EXTERNAL.dc}, region: ${EXTERNAL.region} }
scrape_configs:
  - job_name: plain
    static_configs:
${g(groups.plain, (k) => `group: "g${k}"`)}
  - job_name: probe
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
${g(groups.probe, (k) => `rack: "r${k}", env: prod`)}
    relabel_configs:
      - target_label: team
        replacement: infra
      - source_labels: [__address__]
        regex: "127\\\\.0\\\\.0\\\\.1:(.*)"
        target_label: port
  - job_name: xparam
    static_configs:
${g(groups.xparam, (k) => `__param_x: "v${k}"`)}
    relabel_configs:
      - source_labels: [__param_x]
        target_label: xval
`;
  return { yaml, targets: ports.length * (groups.plain + groups.probe + groups.xparam) };
}

/**
 * Active targets of one agent as `scrapeUrl labels` strings. External labels
 * are merged into the labels (target labels win) because vmagent v1.79.5
 * shows them as target labels while Drover, like current vmagent, does not.
 */
export async function activeTargets(baseURL: string): Promise<string[]> {
  const res = await fetch(`${baseURL}/api/v1/targets`);
  const body = (await res.json()) as {
    data: { activeTargets: { scrapeUrl: string; labels: Record<string, string> }[] };
  };
  return body.data.activeTargets
    .map((t) => {
      const labels = { ...EXTERNAL, ...t.labels };
      const sorted = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `${t.scrapeUrl} ${JSON.stringify(sorted)}`;
    })
    .sort();
}

/** Series key: labels sorted by name, as JSON. */
export function seriesKey(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Problems with dedup buckets `(k·D − D, k·D]` for k in [kFrom, kTo] of every
 * series: a bucket without a sample, or whose last sample is NaN (a stale
 * marker that would hide a healthy replica's data). Empty = fine.
 */
export function bucketProblems(series: ExportedSeries[], dMs: number, kFrom: number, kTo: number): string[] {
  const problems: string[] = [];
  for (const s of series) {
    const last = new Map<number, { ts: number; v: number }>();
    s.timestamps.forEach((ts, i) => {
      const k = Math.ceil(ts / dMs);
      const prev = last.get(k);
      if (prev === undefined || ts >= prev.ts) last.set(k, { ts, v: s.values[i]! });
    });
    for (let k = kFrom; k <= kTo; k++) {
      const b = last.get(k);
      if (b === undefined) problems.push(`${seriesKey(s.metric)}: no sample in bucket ending ${k * dMs}`);
      else if (Number.isNaN(b.v)) {
        problems.push(`${seriesKey(s.metric)}: stale NaN at ${b.ts} in bucket ending ${k * dMs}`);
      }
    }
  }
  return problems;
}
