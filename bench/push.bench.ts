/**
 * Side-by-side push-protocol benchmark: Drover vs the real vmagent, each in
 * front of its own fresh victoria-metrics, receiving pre-built payloads at
 * saturation or at a fixed offered rate (`--rate`): InfluxDB line protocol
 * (`POST /write`), Prometheus text (`POST /api/v1/import/prometheus`),
 * DataDog v1 JSON (`POST /datadog/api/v1/series`) and OTLP protobuf
 * (`POST /opentelemetry/v1/metrics`, Drover only: vmagent v1.79.5 has no such
 * endpoint) over HTTP; Graphite plaintext (`-graphiteListenAddr`) and
 * OpenTSDB telnet `put` lines (`-opentsdbListenAddr`) over TCP.
 *
 * Run: bun bench/push.bench.ts [--scenario=all|influx,graphite,...] [--seconds=15] [--rate=0]
 *      [--concurrency=8] [--connections=4]
 * See bench/README.md for every option and how to read the figures.
 *
 * Same method as relay.bench.ts: the agents run one after the other, the load
 * generator (this process) and victoria-metrics share the machine with the
 * agent under test and their CPU is reported beside it.
 *
 * @module
 */

import { availableParallelism } from "node:os";
import { freePort, waitFor } from "../tests/_harness.ts";
import type { PushCorpus } from "./_push_corpus.ts";
import { type Options, parseArgs, SCENARIO, type Scenario, shortRate } from "./_push_scenarios.ts";
import { type LoadOptions, type LoadResult, pushHttp, pushTcp } from "./_push_load.ts";
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

// ---- one agent -------------------------------------------------------------

interface AgentResult {
  agent: AgentKind;
  scenario: Scenario;
  version: string;
  /** Why this agent did not run ("" when it did); all figures are then NaN. */
  skipped: string;
  /** `--rate` (NaN at saturation). */
  offeredSamplesPerSecond: number;
  /** samples accepted/s ÷ offered (NaN at saturation). */
  achievedOfferedRatio: number;
  requests: number;
  ok: number;
  non2xx: number;
  statuses: Record<string, number>;
  clientErrors: Record<string, number>;
  firstErrorBody: string;
  samplesSent: number;
  samplesAccepted: number;
  bytesSent: number;
  /** The agent's own `vmagent_rows_inserted_total{type}` growth during push + drain. */
  agentRowsInserted: number;
  agentRowsRatio: number;
  agentRowsInvalid: number;
  pushSeconds: number;
  samplesPerSecond: number;
  mibPerSecond: number;
  drainSeconds: number;
  delivered: number;
  deliveredRatio: number;
  deliveredAcceptedRatio: number;
  endToEndSamplesPerSecond: number;
  cpuPushSeconds: number;
  cpuTotalSeconds: number;
  cpuSecondsPerMillionSamples: number;
  cpuPushSecondsPerMillionSamples: number;
  samplesPerCpuSecond: number;
  peakRssBytes: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  vmCpuPushSeconds: number;
  loadgenCpuPushSeconds: number;
  otherCpuPushSeconds: number;
  logTail: string;
  troubleMetrics: string;
}

/** VM ingests what both agents forward as remote write; every type is summed so nothing is missed. */
const VM_ROWS = "vm_rows_inserted_total";
/** Self-metrics worth showing when a run had errors or lost data. */
const TROUBLE_METRICS =
  /^(vm_rows_invalid_total|vmagent_rows_inserted_total|vmagent_http_request|vmagent_remotewrite_(pending|requests|blocks|retries)|vm_persistentqueue_|vm_tcplistener_|drover_ingestserver_|drover_sender_|drover_ring_|drover_gc_pacer_)/;

/**
 * Polls VM's ingested-rows counter until it is `want` above `base`, it has
 * not grown for `stallSeconds` (lost data: no reason to wait the full limit),
 * or `limitSeconds` pass.
 */
async function waitDelivered(
  a: AgentUnderTest,
  base: number,
  want: number,
  limitSeconds: number,
  stallSeconds: number,
): Promise<{ delivered: number; seconds: number }> {
  const started = performance.now();
  const deadline = started + limitSeconds * 1000;
  let delivered = -1;
  let grewAt = started;
  for (;;) {
    const now = (await scrapeSum(`${a.vm.url}/metrics`, VM_ROWS)) - base;
    if (now > delivered) grewAt = performance.now();
    delivered = now;
    const t = performance.now();
    if (delivered >= want || t > deadline || t - grewAt > stallSeconds * 1000) break;
    await Bun.sleep(100);
  }
  return { delivered, seconds: (performance.now() - started) / 1000 };
}

/** Starts `kind` for `scenario` and returns the function that pushes one bounded phase at it. */
async function startFor(
  kind: AgentKind,
  scenario: Scenario,
  o: Options,
): Promise<{ a: AgentUnderTest; push: (c: PushCorpus, seconds: number) => Promise<LoadResult> }> {
  const def = SCENARIO[scenario];
  const load: LoadOptions = o.rate > 0
    ? { contentType: def.contentType, rate: o.rate }
    : { contentType: def.contentType };
  if (def.transport === "http") {
    const a = await startAgent(kind);
    return { a, push: (c, s) => pushHttp(`${a.url}${def.target}`, c, o.concurrency, s, o.timeoutSeconds, load) };
  }
  const port = await freePort();
  const a = await startAgent(kind, [`-${def.target}=127.0.0.1:${port}`]);
  try {
    await waitFor(`${kind} ${scenario} listener`, async () => {
      const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      s.end();
      return true;
    });
  } catch (e) {
    await a.close();
    throw e;
  }
  return { a, push: (c, s) => pushTcp(port, c, o.connections, s, load) };
}

async function runAgent(kind: AgentKind, scenario: Scenario, corpus: PushCorpus, o: Options): Promise<AgentResult> {
  log(`\n== ${scenario} / ${kind}: starting a fresh victoria-metrics and ${kind}`);
  const { a, push } = await startFor(kind, scenario, o);
  const release = closeOnSignal(a);
  const def = SCENARIO[scenario];
  const http = def.transport === "http";
  const agentRows = async (name: string): Promise<number> =>
    scrapeSum(`${a.url}/metrics`, name, `type="${def.rowType}"`);
  try {
    const version = await agentVersion(a);
    if (o.warmup > 0) {
      log(`   warm-up: ${o.warmup}s`);
      const w = await push(corpus, o.warmup);
      if (w.ok !== w.requests || Object.keys(w.errors).length > 0) {
        log(`   warm-up: ${w.requests - w.ok} sends failed: ${JSON.stringify({ ...w.statuses, ...w.errors })}`);
      }
      await waitDelivered(a, 0, w.samplesAccepted, o.drainSeconds, o.stallSeconds);
    }
    const vmBase = await scrapeSum(`${a.vm.url}/metrics`, VM_ROWS);
    const rowsBase = await agentRows("vmagent_rows_inserted_total");
    const invalidBase = await agentRows("vm_rows_invalid_total");
    const cpu0 = cpuSeconds(a.pid);
    const vmCpu0 = cpuSeconds(a.vm.p.pid);
    const self0 = cpuSeconds("self");
    const busy0 = machineBusySeconds();

    const how = http ? `concurrency ${o.concurrency}` : `${o.connections} TCP connections`;
    log(`   push: ${o.seconds}s at ${how}${o.rate > 0 ? `, ${fmtInt(o.rate)} samples/s offered` : ""}`);
    const load = await push(corpus, o.seconds);
    const cpu1 = cpuSeconds(a.pid);
    const vmCpu1 = cpuSeconds(a.vm.p.pid);
    const self1 = cpuSeconds("self");
    const busy1 = machineBusySeconds();
    log(
      `   push done: ${fmtInt(load.samplesAccepted)}/${fmtInt(load.samplesSent)} samples accepted in ` +
        `${load.wallSeconds.toFixed(1)}s; waiting for delivery (≤${o.drainSeconds}s)`,
    );

    // Over TCP the agent may still be reading its socket buffers: wait for every line sent.
    const d = await waitDelivered(a, vmBase, load.samplesAccepted, o.drainSeconds, o.stallSeconds);
    const cpu2 = cpuSeconds(a.pid);
    const rss = peakRssBytes(a.pid);
    const rows = (await agentRows("vmagent_rows_inserted_total")) - rowsBase;
    const invalid = (await agentRows("vm_rows_invalid_total")) - invalidBase;
    if (d.delivered < load.samplesSent) {
      log(`   WARNING: only ${d.delivered} of ${load.samplesSent} samples sent reached VM in ${d.seconds.toFixed(1)}s`);
    }

    const cpuTotal = cpu2 - cpu0;
    const other = Math.max(0, busy1 - busy0 - (cpu1 - cpu0) - (vmCpu1 - vmCpu0) - (self1 - self0));
    if (other > 0.2 * load.wallSeconds) {
      log(
        `   WARNING: other processes used ${other.toFixed(1)} CPU-s during the ${load.wallSeconds.toFixed(1)}s push; ` +
          "figures are skewed (check top)",
      );
    }
    const clientErrors = Object.values(load.errors).reduce((n, c) => n + c, 0);
    const non2xx = http ? load.requests - load.ok - clientErrors : NaN;
    const acc = load.samplesAccepted;
    const offered = o.rate > 0 ? o.rate : NaN;
    const trouble = non2xx > 0 || clientErrors > 0 || d.delivered < load.samplesSent || invalid > 0;
    return {
      agent: kind,
      scenario,
      version,
      skipped: "",
      offeredSamplesPerSecond: offered,
      achievedOfferedRatio: acc / load.wallSeconds / offered,
      requests: load.requests,
      ok: load.ok,
      non2xx,
      statuses: load.statuses,
      clientErrors: load.errors,
      firstErrorBody: load.firstErrorBody,
      samplesSent: load.samplesSent,
      samplesAccepted: acc,
      bytesSent: load.bytesSent,
      agentRowsInserted: rows,
      agentRowsRatio: load.samplesSent === 0 ? NaN : rows / load.samplesSent,
      agentRowsInvalid: invalid,
      pushSeconds: load.wallSeconds,
      samplesPerSecond: acc / load.wallSeconds,
      mibPerSecond: load.bytesSent / 2 ** 20 / load.wallSeconds,
      drainSeconds: d.seconds,
      delivered: d.delivered,
      deliveredRatio: load.samplesSent === 0 ? NaN : d.delivered / load.samplesSent,
      deliveredAcceptedRatio: acc === 0 ? NaN : d.delivered / acc,
      endToEndSamplesPerSecond: Math.min(acc, d.delivered) / (load.wallSeconds + d.seconds),
      cpuPushSeconds: cpu1 - cpu0,
      cpuTotalSeconds: cpuTotal,
      cpuSecondsPerMillionSamples: acc === 0 ? NaN : (cpuTotal / acc) * 1e6,
      cpuPushSecondsPerMillionSamples: acc === 0 ? NaN : ((cpu1 - cpu0) / acc) * 1e6,
      samplesPerCpuSecond: acc / cpuTotal,
      peakRssBytes: rss,
      latencyP50Ms: percentile(load.latenciesMs, 0.5),
      latencyP99Ms: percentile(load.latenciesMs, 0.99),
      latencyMaxMs: percentile(load.latenciesMs, 1),
      vmCpuPushSeconds: vmCpu1 - vmCpu0,
      loadgenCpuPushSeconds: self1 - self0,
      otherCpuPushSeconds: other,
      logTail: a.output().slice(-2000),
      troubleMetrics: trouble || process.env.BENCH_METRICS ? await selectedMetrics(a, TROUBLE_METRICS) : "",
    };
  } finally {
    release();
    await a.close();
  }
}

/** The placeholder of an agent that cannot take `scenario`: every figure n/a. */
function skippedResult(kind: AgentKind, scenario: Scenario, why: string): AgentResult {
  return {
    agent: kind,
    scenario,
    version: "",
    skipped: why,
    offeredSamplesPerSecond: NaN,
    achievedOfferedRatio: NaN,
    requests: NaN,
    ok: NaN,
    non2xx: NaN,
    statuses: {},
    clientErrors: {},
    firstErrorBody: "",
    samplesSent: NaN,
    samplesAccepted: NaN,
    bytesSent: NaN,
    agentRowsInserted: NaN,
    agentRowsRatio: NaN,
    agentRowsInvalid: NaN,
    pushSeconds: NaN,
    samplesPerSecond: NaN,
    mibPerSecond: NaN,
    drainSeconds: NaN,
    delivered: NaN,
    deliveredRatio: NaN,
    deliveredAcceptedRatio: NaN,
    endToEndSamplesPerSecond: NaN,
    cpuPushSeconds: NaN,
    cpuTotalSeconds: NaN,
    cpuSecondsPerMillionSamples: NaN,
    cpuPushSecondsPerMillionSamples: NaN,
    samplesPerCpuSecond: NaN,
    peakRssBytes: NaN,
    latencyP50Ms: NaN,
    latencyP99Ms: NaN,
    latencyMaxMs: NaN,
    vmCpuPushSeconds: NaN,
    loadgenCpuPushSeconds: NaN,
    otherCpuPushSeconds: NaN,
    logTail: "",
    troubleMetrics: "",
  };
}

// ---- report ----------------------------------------------------------------

type R = AgentResult;

const ROWS_RATE: Row<R>[] = [
  { label: "offered samples/s", key: "offeredSamplesPerSecond", show: fmtInt },
  { label: "achieved/offered", key: "achievedOfferedRatio", show: (n) => fmt(n, 3) },
];
const ROWS_HEAD: Row<R>[] = [
  { label: "samples accepted/s (push phase)", key: "samplesPerSecond", show: fmtInt },
  { label: "end-to-end samples/s (push+drain)", key: "endToEndSamplesPerSecond", show: fmtInt },
  { label: "MiB/s sent (push phase)", key: "mibPerSecond", show: (n) => fmt(n, 1) },
  { label: "agent CPU-s per 1M samples", key: "cpuSecondsPerMillionSamples", show: (n) => fmt(n, 3) },
  { label: "  (push phase only)", key: "cpuPushSecondsPerMillionSamples", show: (n) => fmt(n, 3) },
  { label: "samples per agent CPU-second", key: "samplesPerCpuSecond", show: fmtInt },
  { label: "peak RSS (VmHWM), MiB", key: "peakRssBytes", show: (n) => fmt(n / 2 ** 20, 1) },
];
const ROWS_HTTP: Row<R>[] = [
  { label: "request latency p50, ms", key: "latencyP50Ms", show: fmtInt },
  { label: "request latency p99, ms", key: "latencyP99Ms", show: fmtInt },
  { label: "request latency max, ms", key: "latencyMaxMs", show: fmtInt },
];
const ROWS_TAIL = (http: boolean): Row<R>[] => [
  { label: "delivered/sent", key: "deliveredRatio", show: (n) => fmt(n, 4) },
  ...(http
    ? [{ label: "delivered/accepted", key: "deliveredAcceptedRatio", show: (n: number) => fmt(n, 4) } as const]
    : []),
  { label: "agent rows parsed/sent", key: "agentRowsRatio", show: (n) => fmt(n, 4) },
  { label: "agent invalid rows", key: "agentRowsInvalid", show: fmtInt },
  { label: "drain time after push, s", key: "drainSeconds", show: (n) => fmt(n, 1) },
  ...(http
    ? [
      { label: "non-2xx responses", key: "non2xx", show: fmtInt } as const,
      { label: "requests accepted", key: "ok", show: fmtInt } as const,
    ]
    : [{ label: "blocks written", key: "ok", show: fmtInt } as const]),
  { label: "agent CPU-s (push+drain)", key: "cpuTotalSeconds", show: (n) => fmt(n, 2) },
  { label: "victoria-metrics CPU-s (push)", key: "vmCpuPushSeconds", show: (n) => fmt(n, 2) },
  { label: "load generator CPU-s (push)", key: "loadgenCpuPushSeconds", show: (n) => fmt(n, 2) },
  { label: "other processes CPU-s (push)", key: "otherCpuPushSeconds", show: (n) => fmt(n, 2) },
];

function rowsFor(scenario: Scenario, o: Options): Row<R>[] {
  const http = SCENARIO[scenario].transport === "http";
  return [...(o.rate > 0 ? ROWS_RATE : []), ...ROWS_HEAD, ...(http ? ROWS_HTTP : []), ...ROWS_TAIL(http)];
}

function buildCorpus(scenario: Scenario, o: Options): PushCorpus {
  log(`building ${SCENARIO[scenario].describe(o)}…`);
  return SCENARIO[scenario].build(o);
}

// ---- main ------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const report: Record<string, unknown> = {};
  let out = "";
  for (const scenario of o.scenarios) {
    const corpus = buildCorpus(scenario, o);
    const kib = (n: number): string => (n / 1024).toFixed(0);
    log(
      `corpus: ${corpus.payloads.length} payloads, avg ${fmtInt(corpus.avgSamplesPerPayload)} samples and ` +
        `${kib(corpus.avgPayloadBytes)} KiB each, ${fmtInt(corpus.uniqueSeries)} unique series, ` +
        `built in ${corpus.buildSeconds.toFixed(1)}s`,
    );
    const def = SCENARIO[scenario];
    const results: AgentResult[] = [];
    for (const kind of o.agents) {
      if (kind === "vmagent" && def.noVmagent !== "") {
        log(`\n== ${scenario} / vmagent: skipped: ${def.noVmagent}`);
        results.push(skippedResult(kind, scenario, def.noVmagent));
      } else {
        results.push(await runAgent(kind, scenario, corpus, o));
      }
    }
    const { text, ratios } = comparisonTable(results, rowsFor(scenario, o));
    const offered = o.rate > 0 ? `, ${shortRate(o.rate)} samples/s offered` : "";
    out += `\n## ${def.title(o, corpus)}${offered}, ${o.seconds}s\n\n${text}\n`;
    for (const r of results) {
      if (r.skipped !== "") {
        out += `\n${r.agent}: not run: ${r.skipped}.\n`;
        continue;
      }
      if (r.troubleMetrics === "" && r.firstErrorBody === "") continue;
      out += `\n${r.agent}: statuses ${JSON.stringify(r.statuses)}, client errors ${JSON.stringify(r.clientErrors)}\n`;
      if (r.firstErrorBody !== "") out += `  first error response: ${r.firstErrorBody}\n`;
      if (r.logTail !== "") out += `  log tail:\n${r.logTail}\n`;
      if (r.troubleMetrics !== "") out += `  agent metrics:\n${r.troubleMetrics}\n`;
    }
    report[scenario] = {
      corpus: { ...corpus, payloads: corpus.payloads.length, samples: undefined, lines: undefined },
      results,
      ratios,
    };
  }
  const notes =
    `Load generator (this Bun process) and victoria-metrics run on the same ${availableParallelism()}-CPU machine ` +
    "as the agent; their CPU during the push is shown above. Agents ran one after the other, each with a fresh " +
    "victoria-metrics and the same corpus. CPU and peak RSS come from /proc/<pid>/stat and /proc/<pid>/status " +
    "(all threads). Delivered = growth of victoria-metrics' vm_rows_inserted_total. Ratios are drover/vmagent." +
    (o.rate > 0
      ? ` Offered load: ${fmtInt(o.rate)} samples/s in total, paced per connection (token bucket); ` +
        "'samples accepted/s' is the achieved rate."
      : " Load: saturation (each connection sends its next payload as soon as the previous one is done).");
  process.stdout.write(`${out}\n${notes}\n`);
  const file = writeResults(o.out, "push", {
    date: new Date().toISOString(),
    machine: machineInfo(),
    options: { ...o, out: undefined },
    scenarios: report,
    notes,
  });
  process.stdout.write(`\nwrote ${file}\n`);
}

await main();
