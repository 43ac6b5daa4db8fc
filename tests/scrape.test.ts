/**
 * Scraping end to end: the same `-promscrape.config` and the same local
 * target farm through the real vmagent and through Drover, each into its
 * own victoria-metrics. The series (names and labels after relabeling,
 * honor_labels, external labels), the values of stable gauges, the stale
 * markers of vanishing series and the fixed-step timestamps must agree.
 * Also scrapes Debian's prometheus-node-exporter as a real target.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Drover,
  type ExportedSeries,
  freePort,
  have,
  Proc,
  tempDir,
  VictoriaMetrics,
  VmAgent,
  waitFor,
} from "./_harness.ts";

const READY = have("victoria-metrics") && have("vmagent");

/** A farm of targets; `flappy` appears on every other scrape, `gone` stops after `goneAfter` scrapes. */
function startFarm(n: number) {
  const hits = new Map<string, number>();
  const servers = Array.from({ length: n }, (_, i) =>
    Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const url = new URL(req.url);
        const key = `${i}${url.pathname}`;
        const k = (hits.get(key) ?? 0) + 1;
        hits.set(key, k);
        const mod = url.searchParams.get("module") ?? "none";
        let body = `# HELP temp a gauge\n# TYPE temp gauge\ntemp{sensor="a"} ${20 + i}\ntemp{sensor="b"} ${-1.5 * i}\n`;
        body += `info{instance="scraped-${i}",job="scraped",module="${mod}"} 1\n`;
        body += `exported_only{env="from-target"} 7\n`;
        if (k % 2 === 1) body += `flappy{i="${i}"} 1\n`;
        body += `drop_me_total 5\n`;
        return new Response(body);
      },
    }));
  return { servers, reset: () => hits.clear(), stop: () => servers.forEach((s) => s.stop(true)) };
}

function config(ports: number[]): string {
  return `global:
  scrape_interval: 1s
  external_labels:
    dc: eu1
scrape_configs:
  - job_name: plain
    honor_timestamps: true
    static_configs:
      - targets: [${ports.map((p) => `"127.0.0.1:${p}"`).join(", ")}]
        labels:
          env: test
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: drop_me_total
        action: drop
  - job_name: honored
    honor_labels: true
    honor_timestamps: true
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: ["127.0.0.1:${ports[0]}"]
    relabel_configs:
      - target_label: team
        replacement: infra
      - source_labels: [__address__]
        regex: "127\\\\.0\\\\.0\\\\.1:(.*)"
        target_label: port
        replacement: "$1"
`;
}

/** Series grouped by canonical labels, values and timestamps sorted by time. */
function bySeries(series: ExportedSeries[]): Map<string, { ts: number[]; values: number[] }> {
  const m = new Map<string, { ts: number[]; values: number[] }>();
  for (const s of series) {
    const key = JSON.stringify(Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : 1)));
    const idx = s.timestamps.map((_, i) => i).sort((a, b) => s.timestamps[a]! - s.timestamps[b]!);
    m.set(key, { ts: idx.map((i) => s.timestamps[i]!), values: idx.map((i) => s.values[i]!) });
  }
  return m;
}

describe.skipIf(!READY)("scraping", () => {
  test("same config and targets through vmagent and Drover give the same series", async () => {
    using dir = tempDir();
    const farm = startFarm(3);
    try {
      const ports = farm.servers.map((s) => s.port!);
      const cfgPath = join(dir.path, "scrape.yml");
      writeFileSync(cfgPath, config(ports));
      await using vmA = await VictoriaMetrics.start();
      await using vmD = await VictoriaMetrics.start();
      // One agent at a time: the farm's flappy series depend on how often it was scraped.
      // Enough scrapes for flappy series to go stale a few times.
      await using agent = await VmAgent.start([`-remoteWrite.url=${vmA.writeURL}`, `-promscrape.config=${cfgPath}`]);
      await waitFor(
        "6 vmagent scrapes per target",
        async () => (await vmA.sampleCount('up{job="plain"}')) >= 18,
        30_000,
      );
      await agent.p.stop();
      farm.reset();
      await using d = await Drover.start([
        `-remoteWrite.url=${vmD.writeURL}`,
        `-promscrape.config=${cfgPath}`,
        `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
      ]);
      await waitFor(
        "6 Drover scrapes per target",
        async () => (await vmD.sampleCount('up{job="plain"}')) >= 18,
        30_000,
      );
      await d.p.stop();
      const a = bySeries(await vmA.export());
      const b = bySeries(await vmD.export());
      // Auto-series vmagent v1.79.5 does not write, and durations, differ by design.
      const comparable = (k: string) =>
        !/scrape_duration_seconds|scrape_series_added|scrape_timeout_seconds|scrape_samples_limit/.test(k);
      expect([...b.keys()].filter(comparable).sort()).toEqual([...a.keys()].filter(comparable).sort());
      for (const [k, sa] of a) {
        if (!comparable(k)) continue;
        const sb = b.get(k)!;
        // Fixed-step timestamps: every sample of a series at the same phase (mod 1s). vmagent
        // stamps stale markers with the wall clock; Drover with the scrape timestamp, so for
        // Drover the phase holds for stale markers too.
        // Both resync after a tick more than 10% (100ms) late, which a loaded 2-core machine
        // can cause, so the test asks for one dominant phase rather than exactly one.
        const dominantShare = (s: { ts: number[]; values: number[] }, all: boolean) => {
          const counts = new Map<number, number>();
          const ts = s.ts.filter((_, i) => all || !Number.isNaN(s.values[i]));
          for (const t of ts) counts.set(t % 1000, (counts.get(t % 1000) ?? 0) + 1);
          return Math.max(...counts.values()) / ts.length;
        };
        expect(dominantShare(sa, false)).toBeGreaterThanOrEqual(0.6);
        expect(dominantShare(sb, true)).toBeGreaterThanOrEqual(0.6);
        // Stable values agree; flappy series contain stale NaNs in both.
        if (k.includes('"temp"') || k.includes('"info"') || k.includes('"up"')) {
          expect(new Set(sb.values)).toEqual(new Set(sa.values));
        }
        // A series that vanished between scrapes is marked stale by both.
        if (k.includes('"flappy"')) {
          expect(sa.values.some(Number.isNaN)).toBe(true);
          expect(sb.values.some(Number.isNaN)).toBe(true);
        }
      }
      expect([...b.keys()].some((k) => k.includes('"exported_instance","scraped-0"'))).toBe(true);
    } finally {
      farm.stop();
    }
  });

  test.skipIf(!have("prometheus-node-exporter"))("scrapes the real prometheus-node-exporter", async () => {
    using dir = tempDir();
    const port = await freePort();
    await using _ne = new Proc("node-exporter", ["prometheus-node-exporter", `--web.listen-address=127.0.0.1:${port}`]);
    await waitFor("node exporter", async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).ok);
    writeFileSync(
      join(dir.path, "s.yml"),
      `scrape_configs:\n  - job_name: node\n    scrape_interval: 1s\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`,
    );
    await using vm = await VictoriaMetrics.start();
    await using _d = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-promscrape.config=${join(dir.path, "s.yml")}`,
      `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
    ]);
    await waitFor(
      "node_exporter series in VM",
      async () => (await vm.sampleCount('node_exporter_build_info{job="node"}')) >= 2,
      30_000,
    );
    const up = await vm.export('up{job="node"}');
    expect(up[0]!.values.every((v) => v === 1)).toBe(true);
    const cpu = await vm.export('node_cpu_seconds_total{mode="idle"}');
    expect(cpu.length).toBeGreaterThan(0);
    expect(cpu[0]!.metric.instance).toBe(`127.0.0.1:${port}`);
  });
});

describe.skipIf(!have("victoria-metrics"))("scrape config reload", () => {
  test("-promscrape.configCheckInterval picks up a changed config; removed targets get stale markers", async () => {
    using dir = tempDir();
    using a = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("a_metric 1\n") });
    using b = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("b_metric 2\n") });
    const cfg = join(dir.path, "s.yml");
    const write = (ports: number[]) =>
      writeFileSync(
        cfg,
        `scrape_configs:\n  - job_name: r\n    scrape_interval: 1s\n    static_configs:\n      - targets: [${
          ports.map((p) => `"127.0.0.1:${p}"`).join(", ")
        }]\n`,
      );
    write([a.port!, b.port!]);
    await using vm = await VictoriaMetrics.start();
    await using d = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
      `-promscrape.config=${cfg}`,
      "-promscrape.configCheckInterval=500ms",
    ]);
    await waitFor(
      "both targets scraped",
      async () => (await vm.sampleCount("b_metric")) >= 1 && (await vm.sampleCount("a_metric")) >= 1,
      20_000,
    );
    write([a.port!]);
    await waitFor("b's series marked stale after it left the config", async () => {
      const s = await vm.export("b_metric");
      return s.length === 1 && s[0]!.values.some(Number.isNaN);
    }, 20_000);
    const before = await vm.sampleCount("a_metric");
    await waitFor("a keeps being scraped", async () => (await vm.sampleCount("a_metric")) > before + 1, 20_000);
    expect(await d.metric("vm_promscrape_config_reloads_total")).toBeGreaterThan(0);
    expect((await (await fetch(`${d.url}/targets`)).text()).includes(`127.0.0.1:${b.port}`)).toBe(false);
  });
});

describe.skipIf(!READY)("scraping: vanishing and failing targets", () => {
  test("a target removed from file_sd and a target that starts failing get stale markers in both agents", async () => {
    using dir = tempDir();
    let failing = false;
    using steady = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response('steady_metric{k="v"} 1\n') });
    using leaving = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response('leaving_metric{k="v"} 2\n'),
    });
    using flaky = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => (failing ? new Response("down", { status: 503 }) : new Response('failing_metric{k="v"} 3\n')),
    });
    const sdFile = join(dir.path, "targets.json");
    const writeTargets = (ports: number[]) =>
      writeFileSync(sdFile, JSON.stringify([{ targets: ports.map((p) => `127.0.0.1:${p}`), labels: { src: "file" } }]));
    const cfg = join(dir.path, "s.yml");
    writeFileSync(
      cfg,
      `scrape_configs:\n  - job_name: sd\n    scrape_interval: 1s\n    honor_timestamps: true\n    file_sd_configs:\n      - files: ["${sdFile}"]\n`,
    );
    const run = async (vm: VictoriaMetrics, start: () => Promise<{ p: Proc }>) => {
      failing = false;
      writeTargets([steady.port!, leaving.port!, flaky.port!]);
      const agent = await start();
      await waitFor("3 scrapes of every target", async () => (await vm.sampleCount('up{job="sd"}')) >= 9, 30_000);
      writeTargets([steady.port!, flaky.port!]);
      failing = true;
      const n = await vm.sampleCount('up{job="sd"}');
      await waitFor("4 more scrapes", async () => (await vm.sampleCount('up{job="sd"}')) >= n + 6, 30_000);
      await agent.p.stop();
    };
    await using vmA = await VictoriaMetrics.start();
    await using vmD = await VictoriaMetrics.start();
    // file_sd is re-read every -promscrape.fileSDCheckInterval; make it quick for both.
    await run(
      vmA,
      () =>
        VmAgent.start([
          `-remoteWrite.url=${vmA.writeURL}`,
          `-promscrape.config=${cfg}`,
          "-promscrape.fileSDCheckInterval=1s",
        ]),
    );
    await run(
      vmD,
      () =>
        Drover.start([
          `-remoteWrite.url=${vmD.writeURL}`,
          `-promscrape.config=${cfg}`,
          "-promscrape.fileSDCheckInterval=1s",
          `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
        ]),
    );
    for (const vm of [vmA, vmD]) {
      const stale = async (m: string) => (await vm.export(m)).some((s) => s.values.some(Number.isNaN));
      expect(await stale("leaving_metric")).toBe(true);
      expect(await stale("failing_metric")).toBe(true);
      expect(await stale("steady_metric")).toBe(false);
      const up = await vm.export(`up{job="sd",instance="127.0.0.1:${flaky.port}"}`);
      expect(up[0]!.values).toContain(0);
    }
  });
});
