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

import { commonArg, commonDefaults, readArgs } from "./_args.ts";
import { buildCorpus, type Corpus } from "./_corpus.ts";
import {
  type AgentKind,
  type AgentUnderTest,
  cpuSeconds,
  machineBusySeconds,
  peakRssBytes,
  scrapeSum,
  startAgent,
} from "./_procs.ts";
import {
  agentVersion,
  closeOnSignal,
  comparisonTable,
  fmt,
  fmtInt,
  log,
  machineInfo,
  percentile,
  type Row,
  selectedMetrics,
  writeResults,
} from "./_report.ts";

// ---- options ---------------------------------------------------------------

interface Options {
  seconds: number;
  concurrency: number;
  series: number;
  hosts: number;
  bodies: number;
  warmup: number;
  drainSeconds: number;
  timeoutSeconds: number;
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
  timeoutSeconds: 30,
  ...commonDefaults(),
};

function parseArgs(argv: string[]): Options {
  const o: Options = { ...DEFAULTS };
  readArgs(argv, (a) => {
    const { name, int } = a;
    switch (name) {
      case "seconds":
        o.seconds = int(1);
        break;
      case "concurrency":
        o.concurrency = int(1);
        break;
      case "series":
        o.series = int(1);
        break;
      case "hosts":
        o.hosts = int(1);
        break;
      case "bodies":
        o.bodies = int(1);
        break;
      default:
        commonArg(o, a);
    }
  });
  return o;
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
  /** Response latency of every request, ms (failures included, at the time they failed). */
  latenciesMs: number[];
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
async function push(
  url: string,
  bodies: Uint8Array[],
  concurrency: number,
  opts: { seconds?: number; maxRequests?: number; timeoutSeconds: number },
): Promise<LoadResult> {
  const r: LoadResult = {
    requests: 0,
    ok: 0,
    statuses: {},
    errors: {},
    wallSeconds: 0,
    firstErrorBody: "",
    latenciesMs: [],
  };
  const started = performance.now();
  const deadline = opts.seconds === undefined ? Infinity : started + opts.seconds * 1000;
  const max = opts.maxRequests ?? Infinity;
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < max && performance.now() < deadline) {
      const body = bodies[next++ % bodies.length]!;
      r.requests++;
      const sent = performance.now();
      try {
        const signal = AbortSignal.timeout(opts.timeoutSeconds * 1000);
        const res = await fetch(url, { method: "POST", body, headers: HEADERS, signal });
        const text = await res.text();
        r.latenciesMs.push(performance.now() - sent);
        r.statuses[res.status] = (r.statuses[res.status] ?? 0) + 1;
        if (res.status >= 200 && res.status < 300) r.ok++;
        else if (r.firstErrorBody === "") r.firstErrorBody = `${res.status}: ${text.slice(0, 500)}`;
      } catch (e) {
        r.latenciesMs.push(performance.now() - sent);
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
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  vmCpuPushSeconds: number;
  loadgenCpuPushSeconds: number;
  /** Machine-wide busy CPU during the push minus agent, VM and load generator: foreign load that skews the run. */
  otherCpuPushSeconds: number;
  logTail: string;
  /** Selected agent self-metrics, read only when the run had errors or lost data. */
  troubleMetrics: string;
}

const VM_ROWS = ["vm_rows_inserted_total", 'type="promremotewrite"'] as const;
const AGENT_ROWS = ["vmagent_rows_inserted_total", 'type="promremotewrite"'] as const;
/** Self-metrics worth showing when a run had errors or lost data. */
const TROUBLE_METRICS =
  /^(vmagent_http_request|vmagent_remotewrite_(pending|requests|blocks|retries)|vm_persistentqueue_bytes_pend|drover_)/;

/** Polls VM's ingested-rows counter until it is `want` above `base` or `limitSeconds` pass. */
async function waitDelivered(
  a: AgentUnderTest,
  base: number,
  want: number,
  limitSeconds: number,
): Promise<{ delivered: number; seconds: number }> {
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
  const release = closeOnSignal(a);
  try {
    const writeURL = `${a.url}/api/v1/write`;
    const timeout = { timeoutSeconds: o.timeoutSeconds };
    const version = await agentVersion(a);
    if (o.warmup > 0) {
      log(`   warm-up: ${o.warmup} requests`);
      const w = await push(writeURL, corpus.bodies, o.concurrency, { maxRequests: o.warmup, ...timeout });
      if (w.ok !== w.requests) {
        log(`   warm-up: ${w.requests - w.ok} requests failed: ${JSON.stringify({ ...w.statuses, ...w.errors })}`);
      }
      await waitDelivered(a, 0, w.ok * corpus.samplesPerRequest, o.drainSeconds);
    }
    const vmBase = await scrapeSum(`${a.vm.url}/metrics`, ...VM_ROWS);
    const agentBase = await scrapeSum(`${a.url}/metrics`, ...AGENT_ROWS);
    const cpu0 = cpuSeconds(a.pid);
    const vmCpu0 = cpuSeconds(a.vm.p.pid);
    const self0 = cpuSeconds("self");
    const busy0 = machineBusySeconds();

    log(`   push: ${o.seconds}s at concurrency ${o.concurrency}`);
    const load = await push(writeURL, corpus.bodies, o.concurrency, { seconds: o.seconds, ...timeout });
    const cpu1 = cpuSeconds(a.pid);
    const vmCpu1 = cpuSeconds(a.vm.p.pid);
    const self1 = cpuSeconds("self");
    const busy1 = machineBusySeconds();
    const accepted = load.ok * corpus.samplesPerRequest;
    log(
      `   push done: ${load.ok}/${load.requests} requests accepted in ${load.wallSeconds.toFixed(1)}s; ` +
        `waiting for delivery (≤${o.drainSeconds}s)`,
    );

    const d = await waitDelivered(a, vmBase, accepted, o.drainSeconds);
    const cpu2 = cpuSeconds(a.pid);
    const rss = peakRssBytes(a.pid);
    const agentRows = (await scrapeSum(`${a.url}/metrics`, ...AGENT_ROWS)) - agentBase;
    if (d.delivered < accepted) {
      log(`   WARNING: only ${d.delivered} of ${accepted} accepted samples reached VM in ${o.drainSeconds}s`);
    }

    const cpuTotal = cpu2 - cpu0;
    const other = busy1 - busy0 - (cpu1 - cpu0) - (vmCpu1 - vmCpu0) - (self1 - self0);
    if (other > 0.2 * load.wallSeconds) {
      log(
        `   WARNING: other processes used ${other.toFixed(1)} CPU-s during the ${load.wallSeconds.toFixed(1)}s push; ` +
          "figures are skewed (check top)",
      );
    }
    const non2xx = load.requests - load.ok - Object.values(load.errors).reduce((n, c) => n + c, 0);
    const trouble = non2xx > 0 || Object.keys(load.errors).length > 0 || d.delivered < accepted;
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
      latencyP50Ms: percentile(load.latenciesMs, 0.5),
      latencyP99Ms: percentile(load.latenciesMs, 0.99),
      latencyMaxMs: percentile(load.latenciesMs, 1),
      vmCpuPushSeconds: vmCpu1 - vmCpu0,
      loadgenCpuPushSeconds: self1 - self0,
      otherCpuPushSeconds: Math.max(0, busy1 - busy0 - (cpu1 - cpu0) - (vmCpu1 - vmCpu0) - (self1 - self0)),
      logTail: a.output().slice(-2000),
      troubleMetrics: trouble ? await selectedMetrics(a, TROUBLE_METRICS) : "",
    };
  } finally {
    release();
    await a.close();
  }
}

// ---- report ----------------------------------------------------------------

const kib = (n: number): string => (n / 1024).toFixed(0);

const ROWS: Row<AgentResult>[] = [
  { label: "samples accepted/s (push phase)", key: "samplesPerSecond", show: fmtInt },
  { label: "end-to-end samples/s (push+drain)", key: "endToEndSamplesPerSecond", show: fmtInt },
  { label: "agent CPU-s per 1M samples", key: "cpuSecondsPerMillionSamples", show: (n) => fmt(n, 3) },
  { label: "  (push phase only)", key: "cpuPushSecondsPerMillionSamples", show: (n) => fmt(n, 3) },
  { label: "samples per agent CPU-second", key: "samplesPerCpuSecond", show: fmtInt },
  { label: "peak RSS (VmHWM), MiB", key: "peakRssBytes", show: (n) => fmt(n / 2 ** 20, 1) },
  { label: "request latency p50, ms", key: "latencyP50Ms", show: fmtInt },
  { label: "request latency p99, ms", key: "latencyP99Ms", show: fmtInt },
  { label: "request latency max, ms", key: "latencyMaxMs", show: fmtInt },
  { label: "delivered/accepted", key: "deliveredRatio", show: (n) => fmt(n, 4) },
  { label: "drain time after push, s", key: "drainSeconds", show: (n) => fmt(n, 1) },
  { label: "non-2xx responses", key: "non2xx", show: fmtInt },
  { label: "requests accepted", key: "ok", show: fmtInt },
  { label: "agent CPU-s (push+drain)", key: "cpuTotalSeconds", show: (n) => fmt(n, 2) },
  { label: "victoria-metrics CPU-s (push)", key: "vmCpuPushSeconds", show: (n) => fmt(n, 2) },
  { label: "load generator CPU-s (push)", key: "loadgenCpuPushSeconds", show: (n) => fmt(n, 2) },
  { label: "other processes CPU-s (push)", key: "otherCpuPushSeconds", show: (n) => fmt(n, 2) },
];

// ---- main ------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  log(`building corpus: ${o.bodies} requests × ${o.series} series (${o.hosts} hosts)…`);
  const corpus = buildCorpus(o);
  log(
    `corpus: ${corpus.bodies.length} bodies, ${corpus.samplesPerRequest} samples/request, ` +
      `avg ${kib(corpus.avgBodyBytes)} KiB snappy (${kib(corpus.avgRawBytes)} KiB raw), ` +
      `${corpus.uniqueSeries} unique series, built in ${corpus.buildSeconds.toFixed(1)}s`,
  );
  const results: AgentResult[] = [];
  for (const kind of o.agents) results.push(await runAgent(kind, corpus, o));

  const { text, ratios } = comparisonTable(results, ROWS);
  const machine = machineInfo();
  const notes = `Load generator (this Bun process) and victoria-metrics run on the same ${machine.cpus}-CPU machine ` +
    "as the agent; their CPU during the push is shown above. Agents ran one after the other, each with a fresh " +
    "victoria-metrics and the same corpus. " +
    "CPU and peak RSS come from /proc/<pid>/stat and /proc/<pid>/status (all threads). Ratios are drover/vmagent.";
  process.stdout.write(`\n${text}\n\n${notes}\n`);
  for (const r of results) {
    if (r.non2xx > 0 || Object.keys(r.clientErrors).length > 0 || r.deliveredRatio < 1) {
      const errs = JSON.stringify(r.clientErrors);
      process.stdout.write(`\n${r.agent}: statuses ${JSON.stringify(r.statuses)}, client errors ${errs}\n`);
      if (r.firstErrorBody !== "") process.stdout.write(`  first error response: ${r.firstErrorBody}\n`);
      if (r.logTail !== "") process.stdout.write(`  log tail:\n${r.logTail}\n`);
      if (r.troubleMetrics !== "") process.stdout.write(`  agent metrics:\n${r.troubleMetrics}\n`);
    }
  }

  const file = writeResults(o.out, "relay", {
    date: new Date().toISOString(),
    machine,
    options: { ...o, out: undefined },
    corpus: { ...corpus, bodies: corpus.bodies.length },
    results,
    ratios,
    notes,
  });
  process.stdout.write(`\nwrote ${file}\n`);
}

await main();
