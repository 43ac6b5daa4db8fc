/**
 * Side-by-side relay benchmark: Drover vs the real vmagent, each in front of
 * its own fresh victoria-metrics, driven by the same pre-encoded corpus of
 * Prometheus remote-write requests at saturation.
 *
 * Run: bun bench/relay.bench.ts [--seconds=20] [--concurrency=8] [--agents=drover,vmagent]
 * See bench/README.md for every option and how to read the figures.
 *
 * The agents run one after the other (never at once: they would fight for
 * the cores). The load generator (this process) and victoria-metrics share
 * the machine with the agent under test; their CPU is reported beside it.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { snappyCompress } from "../protocols/_shared/snappy.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { ROOT } from "../tests/_harness.ts";
import { type AgentKind, type AgentUnderTest, appVersion, cpuSeconds, peakRssBytes, scrapeSum, startAgent } from "./_procs.ts";

// ---- options ---------------------------------------------------------------

interface Options {
  seconds: number;
  concurrency: number;
  series: number;
  hosts: number;
  bodies: number;
  warmup: number;
  drainSeconds: number;
  agents: AgentKind[];
  out: string;
}

const DEFAULTS: Options = {
  seconds: 20,
  concurrency: 8,
  series: 10_000,
  hosts: 256,
  bodies: 200,
  warmup: 24,
  drainSeconds: 60,
  agents: ["drover", "vmagent"],
  out: join(ROOT, "bench", "results"),
};

function parseArgs(argv: string[]): Options {
  const o: Options = { ...DEFAULTS };
  for (const a of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (m === null) throw new SyntaxError(`Cannot parse argument ${JSON.stringify(a)}: want --name=value`);
    const [, name = "", value = ""] = m;
    const int = (min: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) throw new RangeError(`Invalid value for --${name}: want an integer >= ${min}, got ${JSON.stringify(value)}`);
      return n;
    };
    switch (name) {
      case "seconds": o.seconds = int(1); break;
      case "concurrency": o.concurrency = int(1); break;
      case "series": o.series = int(1); break;
      case "hosts": o.hosts = int(1); break;
      case "bodies": o.bodies = int(1); break;
      case "warmup": o.warmup = int(0); break;
      case "drain-seconds": o.drainSeconds = int(1); break;
      case "out": o.out = value; break;
      case "agents": {
        const list = value.split(",").filter((s) => s !== "");
        for (const k of list) if (k !== "drover" && k !== "vmagent") throw new RangeError(`Invalid value for --agents: unknown agent ${JSON.stringify(k)}`);
        if (list.length === 0) throw new RangeError("Invalid value for --agents: list is empty");
        o.agents = list as AgentKind[];
        break;
      }
      default:
        throw new SyntaxError(`Unknown argument --${name}`);
    }
  }
  return o;
}

// ---- corpus ----------------------------------------------------------------

/** One node-exporter series without its per-host labels: name + metric-specific labels, and whether it is a counter. */
interface SeriesTemplate {
  name: string;
  labels: [string, string][];
  counter: boolean;
}

/** ~170 series per host, shaped like a real node-exporter scrape. */
function hostTemplate(): SeriesTemplate[] {
  const t: SeriesTemplate[] = [];
  for (let cpu = 0; cpu < 8; cpu++) {
    for (const mode of ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]) {
      t.push({ name: "node_cpu_seconds_total", labels: [["cpu", String(cpu)], ["mode", mode]], counter: true });
    }
  }
  const fs: [string, string, string][] = [["/dev/nvme0n1p1", "/", "ext4"], ["/dev/nvme0n1p15", "/boot/efi", "vfat"], ["/dev/nvme1n1", "/var/lib/docker", "xfs"], ["tmpfs", "/run", "tmpfs"]];
  for (const m of ["avail_bytes", "size_bytes", "free_bytes", "files", "files_free"]) {
    for (const [device, mountpoint, fstype] of fs) {
      t.push({ name: `node_filesystem_${m}`, labels: [["device", device], ["fstype", fstype], ["mountpoint", mountpoint]], counter: false });
    }
  }
  for (const dir of ["receive", "transmit"]) {
    for (const m of ["bytes", "packets", "errs", "drop"]) {
      for (const device of ["eth0", "eth1", "lo"]) t.push({ name: `node_network_${dir}_${m}_total`, labels: [["device", device]], counter: true });
    }
  }
  for (const m of ["read_bytes_total", "written_bytes_total", "reads_completed_total", "writes_completed_total", "io_time_seconds_total"]) {
    for (const device of ["nvme0n1", "nvme1n1", "dm-0"]) t.push({ name: `node_disk_${m}`, labels: [["device", device]], counter: true });
  }
  for (const m of ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive", "Active_anon", "Inactive_anon",
    "Active_file", "Inactive_file", "Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped",
    "Shmem", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "CommitLimit", "Committed_AS", "VmallocTotal", "HugePages_Total"]) {
    t.push({ name: `node_memory_${m}_bytes`, labels: [], counter: false });
  }
  for (const [name, counter] of [["node_load1", false], ["node_load5", false], ["node_load15", false], ["node_boot_time_seconds", false],
    ["node_context_switches_total", true], ["node_intr_total", true], ["node_procs_running", false], ["node_procs_blocked", false],
    ["node_forks_total", true], ["node_time_seconds", false]] as const) {
    t.push({ name, labels: [], counter });
  }
  for (const chip of ["platform_coretemp_0", "pci0000:00_0000:00:1d_0_0000:3d:00_0"]) {
    for (const sensor of ["temp1", "temp2", "temp3", "temp4"]) t.push({ name: "node_hwmon_temp_celsius", labels: [["chip", chip], ["sensor", sensor]], counter: false });
  }
  return t;
}

/** A host's labels shared by all its series (with __name__ and the series' own labels: 8–11 labels per series). */
function hostLabels(h: number): [string, string][] {
  const ip = `10.${20 + (h >> 16)}.${(h >> 8) & 255}.${h & 255}`;
  const region = ["eu-west-1", "us-east-1", "ap-southeast-2"][h % 3] ?? "eu-west-1";
  return [
    ["instance", `${ip}:9100`],
    ["job", "node-exporter"],
    ["cluster", `prod-${region}-${h % 5}`],
    ["region", region],
    ["availability_zone", `${region}${"abc"[h % 3]}`],
    ["node", `ip-${ip.replaceAll(".", "-")}.${region}.compute.internal`],
    ["namespace", "monitoring"],
  ];
}

interface Corpus {
  bodies: Uint8Array[];
  samplesPerRequest: number;
  uniqueSeries: number;
  avgBodyBytes: number;
  avgRawBytes: number;
  buildSeconds: number;
}

/**
 * `bodies` requests of `series` series × 1 sample each. The request stream walks
 * the host universe in order like a scrape loop: each pass over all hosts is one
 * 15 s scrape round, so consecutive requests hold different series, and a series
 * recurs only with a later timestamp (until the pool itself repeats).
 */
function buildCorpus(o: Options): Corpus {
  const started = performance.now();
  const tpl = hostTemplate();
  const hostLbl = Array.from({ length: o.hosts }, (_, h) => hostLabels(h));
  const universe = tpl.length * o.hosts;
  const rounds = Math.ceil((o.bodies * o.series) / universe) + 1;
  // Every timestamp is in the past hour-ish so VictoriaMetrics accepts all of them.
  const t0 = Math.floor(Date.now() / 15_000) * 15_000 - rounds * 15_000;
  const b = new BlockBuilder(4 << 20);
  const bodies: Uint8Array[] = [];
  let raw = 0;
  let next = 0; // global series index in the request stream
  for (let r = 0; r < o.bodies; r++) {
    b.reset();
    for (let s = 0; s < o.series; s++, next++) {
      const round = Math.floor(next / universe);
      const idx = next % universe;
      const h = Math.floor(idx / tpl.length);
      const st = tpl[idx % tpl.length]!;
      b.beginSeries();
      b.addLabel("__name__", st.name);
      for (const [n, v] of hostLbl[h]!) b.addLabel(n, v);
      for (const [n, v] of st.labels) b.addLabel(n, v);
      const base = ((idx * 2654435761) % 1_000_003) / 7;
      const value = st.counter ? base * 100 + round * ((idx % 97) + 0.25) : base + Math.sin(round + idx) * 10;
      // Scrapes of different hosts are not aligned: spread them over the 15 s interval.
      b.addSample(value, t0 + round * 15_000 + ((h * 7919) % 15_000));
      b.endSeries();
    }
    const body = b.finish();
    raw += body.byteLength;
    bodies.push(snappyCompress(body));
  }
  const total = bodies.reduce((n, x) => n + x.byteLength, 0);
  return {
    bodies,
    samplesPerRequest: o.series,
    uniqueSeries: Math.min(universe, o.bodies * o.series),
    avgBodyBytes: Math.round(total / bodies.length),
    avgRawBytes: Math.round(raw / bodies.length),
    buildSeconds: (performance.now() - started) / 1000,
  };
}

// ---- load ------------------------------------------------------------------

interface LoadResult {
  requests: number;
  ok: number;
  statuses: Record<string, number>;
  /** fetch() failures (connection refused/reset), by message. */
  errors: Record<string, number>;
  wallSeconds: number;
  firstErrorBody: string;
}

const HEADERS = {
  "Content-Encoding": "snappy",
  "Content-Type": "application/x-protobuf",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
};

/**
 * `concurrency` loops each POSTing the next body as soon as the previous
 * answer arrives, until `maxRequests` are sent or `deadline` passes; requests
 * in flight at the deadline are awaited and counted.
 */
async function push(url: string, bodies: Uint8Array[], concurrency: number, opts: { seconds?: number; maxRequests?: number }): Promise<LoadResult> {
  const r: LoadResult = { requests: 0, ok: 0, statuses: {}, errors: {}, wallSeconds: 0, firstErrorBody: "" };
  const started = performance.now();
  const deadline = opts.seconds === undefined ? Infinity : started + opts.seconds * 1000;
  const max = opts.maxRequests ?? Infinity;
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < max && performance.now() < deadline) {
      const body = bodies[next++ % bodies.length]!;
      r.requests++;
      try {
        const res = await fetch(url, { method: "POST", body, headers: HEADERS });
        const text = await res.text();
        r.statuses[res.status] = (r.statuses[res.status] ?? 0) + 1;
        if (res.status >= 200 && res.status < 300) r.ok++;
        else if (r.firstErrorBody === "") r.firstErrorBody = `${res.status}: ${text.slice(0, 500)}`;
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        r.errors[msg] = (r.errors[msg] ?? 0) + 1;
        await Bun.sleep(10); // a refused connection would otherwise spin
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  r.wallSeconds = (performance.now() - started) / 1000;
  return r;
}

// ---- one agent -------------------------------------------------------------

interface AgentResult {
  agent: AgentKind;
  version: string;
  requests: number;
  ok: number;
  non2xx: number;
  statuses: Record<string, number>;
  clientErrors: Record<string, number>;
  firstErrorBody: string;
  samplesSent: number;
  samplesAccepted: number;
  agentRowsInserted: number;
  pushSeconds: number;
  samplesPerSecond: number;
  /** Seconds after the push until VM had every accepted sample (or the drain limit). */
  drainSeconds: number;
  delivered: number;
  deliveredRatio: number;
  /** Accepted samples / (push + drain) seconds: end-to-end relay throughput. */
  endToEndSamplesPerSecond: number;
  cpuPushSeconds: number;
  cpuTotalSeconds: number;
  cpuSecondsPerMillionSamples: number;
  samplesPerCpuSecond: number;
  cpuPushSecondsPerMillionSamples: number;
  peakRssBytes: number;
  vmCpuPushSeconds: number;
  loadgenCpuPushSeconds: number;
  logTail: string;
}

const VM_ROWS = ["vm_rows_inserted_total", 'type="promremotewrite"'] as const;

async function waitDelivered(a: AgentUnderTest, base: number, want: number, limitSeconds: number): Promise<{ delivered: number; seconds: number }> {
  const started = performance.now();
  const deadline = started + limitSeconds * 1000;
  let delivered = 0;
  for (;;) {
    delivered = (await scrapeSum(`${a.vm.url}/metrics`, ...VM_ROWS)) - base;
    if (delivered >= want || performance.now() > deadline) break;
    await Bun.sleep(100);
  }
  return { delivered, seconds: (performance.now() - started) / 1000 };
}

async function runAgent(kind: AgentKind, corpus: Corpus, o: Options): Promise<AgentResult> {
  log(`\n== ${kind}: starting a fresh victoria-metrics and ${kind}`);
  const a = await startAgent(kind);
  const onSignal = (): void => void a.close().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  try {
    const writeURL = `${a.url}/api/v1/write`;
    const version = kind === "vmagent" ? await appVersion(`${a.url}/metrics`) : await droverVersion();
    if (o.warmup > 0) {
      log(`   warm-up: ${o.warmup} requests`);
      const w = await push(writeURL, corpus.bodies, o.concurrency, { maxRequests: o.warmup });
      if (w.ok !== w.requests) log(`   warm-up: ${w.requests - w.ok} requests failed: ${JSON.stringify({ ...w.statuses, ...w.errors })}`);
      await waitDelivered(a, 0, w.ok * corpus.samplesPerRequest, o.drainSeconds);
    }
    const vmBase = await scrapeSum(`${a.vm.url}/metrics`, ...VM_ROWS);
    const agentBase = await scrapeSum(`${a.url}/metrics`, "vmagent_rows_inserted_total", 'type="promremotewrite"');
    const cpu0 = cpuSeconds(a.pid);
    const vmCpu0 = cpuSeconds(a.vm.p.pid);
    const self0 = cpuSeconds("self");

    log(`   push: ${o.seconds}s at concurrency ${o.concurrency}`);
    const load = await push(writeURL, corpus.bodies, o.concurrency, { seconds: o.seconds });
    const cpu1 = cpuSeconds(a.pid);
    const vmCpu1 = cpuSeconds(a.vm.p.pid);
    const self1 = cpuSeconds("self");
    const accepted = load.ok * corpus.samplesPerRequest;
    log(`   push done: ${load.ok}/${load.requests} requests accepted in ${load.wallSeconds.toFixed(1)}s; waiting for delivery (≤${o.drainSeconds}s)`);

    const d = await waitDelivered(a, vmBase, accepted, o.drainSeconds);
    const cpu2 = cpuSeconds(a.pid);
    const rss = peakRssBytes(a.pid);
    const agentRows = (await scrapeSum(`${a.url}/metrics`, "vmagent_rows_inserted_total", 'type="promremotewrite"')) - agentBase;
    if (d.delivered < accepted) log(`   WARNING: only ${d.delivered} of ${accepted} accepted samples reached victoria-metrics within ${o.drainSeconds}s`);

    const cpuTotal = cpu2 - cpu0;
    const non2xx = Object.entries(load.statuses).reduce((n, [s, c]) => (Number(s) >= 200 && Number(s) < 300 ? n : n + c), 0);
    return {
      agent: kind,
      version,
      requests: load.requests,
      ok: load.ok,
      non2xx,
      statuses: load.statuses,
      clientErrors: load.errors,
      firstErrorBody: load.firstErrorBody,
      samplesSent: load.requests * corpus.samplesPerRequest,
      samplesAccepted: accepted,
      agentRowsInserted: agentRows,
      pushSeconds: load.wallSeconds,
      samplesPerSecond: accepted / load.wallSeconds,
      drainSeconds: d.seconds,
      delivered: d.delivered,
      deliveredRatio: accepted === 0 ? 0 : d.delivered / accepted,
      endToEndSamplesPerSecond: accepted / (load.wallSeconds + d.seconds),
      cpuPushSeconds: cpu1 - cpu0,
      cpuTotalSeconds: cpuTotal,
      cpuSecondsPerMillionSamples: accepted === 0 ? NaN : (cpuTotal / accepted) * 1e6,
      samplesPerCpuSecond: accepted / cpuTotal,
      cpuPushSecondsPerMillionSamples: accepted === 0 ? NaN : ((cpu1 - cpu0) / accepted) * 1e6,
      peakRssBytes: rss,
      vmCpuPushSeconds: vmCpu1 - vmCpu0,
      loadgenCpuPushSeconds: self1 - self0,
      logTail: a.output().slice(-2000),
    };
  } finally {
    process.off("SIGINT", onSignal);
    await a.close();
  }
}

async function droverVersion(): Promise<string> {
  const r = Bun.spawnSync([process.execPath, join(ROOT, "main.ts"), "-version"], { cwd: ROOT });
  return r.stdout.toString().trim() || "unknown";
}

// ---- report ----------------------------------------------------------------

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

interface Row {
  label: string;
  key: keyof AgentResult;
  show: (n: number) => string;
  /** True when bigger is better (informational; ratios are always drover/vmagent). */
  higherIsBetter: boolean;
}

const ROWS: Row[] = [
  { label: "samples accepted/s (push phase)", key: "samplesPerSecond", show: fmtInt, higherIsBetter: true },
  { label: "end-to-end samples/s (push+drain)", key: "endToEndSamplesPerSecond", show: fmtInt, higherIsBetter: true },
  { label: "agent CPU-s per 1M samples", key: "cpuSecondsPerMillionSamples", show: (n) => fmt(n, 3), higherIsBetter: false },
  { label: "  (push phase only)", key: "cpuPushSecondsPerMillionSamples", show: (n) => fmt(n, 3), higherIsBetter: false },
  { label: "samples per agent CPU-second", key: "samplesPerCpuSecond", show: fmtInt, higherIsBetter: true },
  { label: "peak RSS (VmHWM), MiB", key: "peakRssBytes", show: (n) => fmt(n / 2 ** 20, 1), higherIsBetter: false },
  { label: "delivered/accepted", key: "deliveredRatio", show: (n) => fmt(n, 4), higherIsBetter: true },
  { label: "drain time after push, s", key: "drainSeconds", show: (n) => fmt(n, 1), higherIsBetter: false },
  { label: "non-2xx responses", key: "non2xx", show: fmtInt, higherIsBetter: false },
  { label: "requests accepted", key: "ok", show: fmtInt, higherIsBetter: true },
  { label: "agent CPU-s (push+drain)", key: "cpuTotalSeconds", show: (n) => fmt(n, 1), higherIsBetter: false },
  { label: "victoria-metrics CPU-s (push)", key: "vmCpuPushSeconds", show: (n) => fmt(n, 1), higherIsBetter: false },
  { label: "load generator CPU-s (push)", key: "loadgenCpuPushSeconds", show: (n) => fmt(n, 1), higherIsBetter: false },
];

function table(results: AgentResult[]): { text: string; ratios: Record<string, number> } {
  const d = results.find((r) => r.agent === "drover");
  const v = results.find((r) => r.agent === "vmagent");
  const head = ["figure", ...results.map((r) => r.agent), ...(d && v ? ["drover/vmagent"] : [])];
  const lines: string[][] = [head];
  const ratios: Record<string, number> = {};
  for (const row of ROWS) {
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

// ---- main ------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  log(`building corpus: ${o.bodies} requests × ${o.series} series (${o.hosts} hosts)…`);
  const corpus = buildCorpus(o);
  log(
    `corpus: ${corpus.bodies.length} bodies, ${corpus.samplesPerRequest} samples/request, avg ${(corpus.avgBodyBytes / 1024).toFixed(0)} KiB snappy ` +
      `(${(corpus.avgRawBytes / 1024).toFixed(0)} KiB raw), ${corpus.uniqueSeries} unique series, built in ${corpus.buildSeconds.toFixed(1)}s`,
  );
  const results: AgentResult[] = [];
  for (const kind of o.agents) results.push(await runAgent(kind, corpus, o));

  const { text, ratios } = table(results);
  const cpuInfo = cpus()[0]?.model ?? "unknown";
  const notes =
    `Load generator (this Bun process) and victoria-metrics run on the same ${availableParallelism()}-CPU machine as the agent; ` +
    "their CPU during the push is shown above. Agents ran one after the other, each with a fresh victoria-metrics and the same corpus. " +
    "CPU and peak RSS come from /proc/<pid>/stat and /proc/<pid>/status (all threads). Ratios are drover/vmagent.";
  process.stdout.write(`\n${text}\n\n${notes}\n`);
  for (const r of results) {
    if (r.non2xx > 0 || Object.keys(r.clientErrors).length > 0 || r.deliveredRatio < 1) {
      process.stdout.write(`\n${r.agent}: statuses ${JSON.stringify(r.statuses)}, client errors ${JSON.stringify(r.clientErrors)}\n`);
      if (r.firstErrorBody !== "") process.stdout.write(`  first error response: ${r.firstErrorBody}\n`);
      if (r.logTail !== "") process.stdout.write(`  log tail:\n${r.logTail}\n`);
    }
  }

  mkdirSync(o.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  const file = join(o.out, `relay-${stamp}.json`);
  const json = {
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), model: cpuInfo, bun: Bun.version },
    options: { ...o, out: undefined },
    corpus: { ...corpus, bodies: corpus.bodies.length },
    results,
    ratios,
    notes,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

await main();
