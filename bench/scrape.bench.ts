/**
 * Side-by-side scraping benchmark: Drover vs the real vmagent, each scraping
 * the same farm of node-exporter-like targets (bench/_scrape_farm.ts, a
 * separate `bun` process) and writing to its own fresh victoria-metrics.
 *
 * Run: bun bench/scrape.bench.ts [--scenario=default,saturation] [--cluster] [--seconds=30]
 * See bench/README.md for every option and how to read the figures.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../tests/_harness.ts";
import {
  type AgentKind,
  type AgentUnderTest,
  cpuSeconds,
  machineBusySeconds,
  peakRssBytes,
  startAgent,
} from "./_procs.ts";
import { type Options, parseArgs, type Scenario, scenarioOf } from "./_scrape_options.ts";
import { Farm, pollTargets, sumOrNaN, vmCounts } from "./_scrape_probe.ts";
import {
  agentVersion,
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

// ---- one run ---------------------------------------------------------------

/** Figures of one agent kind on one scenario (all members summed unless named per member). */
interface AgentResult {
  agent: AgentKind;
  version: string;
  members: number;
  windowSeconds: number;
  /** Scrapes the farm answered 200 during the window, and the samples in them. */
  scrapesServed: number;
  samplesServed: number;
  samplesPerSecond: number;
  agentCpuSeconds: number;
  samplesPerCpuSecond: number;
  cpuSecondsPerMillionSamples: number;
  /** Largest VmHWM among members, and their sum. */
  peakRssBytes: number;
  peakRssSumBytes: number;
  activeSeries: number;
  rssPerMillionSeriesBytes: number;
  scrapeDurP50Ms: number;
  scrapeDurP90Ms: number;
  scrapeDurP99Ms: number;
  scrapeDurMaxMs: number;
  scrapeDurationSamples: number;
  /** vm_promscrape_scrape_duration_seconds sum/count over the window. */
  scrapeDurMeanMs: number;
  expectedScrapes: number;
  /** Expected minus served in the window (negative when scrapes were early). */
  missedScrapes: number;
  /** Gaps between consecutive scrapes of a target longer than 1.5 intervals. */
  lateScrapes: number;
  /** Gaps shorter than half an interval: extra (catch-up or duplicate) scrapes of a target. */
  earlyScrapes: number;
  gapP50Ms: number;
  gapP99Ms: number;
  gapMaxMs: number;
  failedScrapes: number;
  timedOutScrapes: number;
  targetsDownSeen: number;
  /** Lifetime: data samples in VM ÷ (bodies served × series). */
  deliveredRatio: number;
  deliveredSamples: number;
  lifetimeSamplesServed: number;
  /** Successful scrapes according to VM (sum of `up`) ÷ bodies served. */
  upRatio: number;
  drainSeconds: number;
  vmCpuSeconds: number;
  farmCpuSeconds: number;
  benchCpuSeconds: number;
  otherCpuSeconds: number;
  perMember: { pid: number; cpuSeconds: number; peakRssBytes: number; scrapesServed: number }[];
  logTail: string;
  troubleMetrics: string;
  targetsExcerpt: string;
  /** lastError of the targets at the last poll in the window, by message. */
  targetErrors: Record<string, number>;
  /** /api/v1/targets polls that failed (agent too slow to answer within 10 s). */
  targetPollErrors: number;
}

/** Self-metrics shown when a run went wrong (not vmagent's per-SD-type zeros, histogram buckets or per-path queue gauges). */
const TROUBLE =
  /^(vm_promscrape_(scrapes|targets\{type="(all|static_configs)"|active_scrapers(\{type="static|\s)|scrape_duration_seconds_(sum|count))|vmagent_remotewrite_(pending|requests|blocks|retries)|vm_persistentqueue_bytes_pend|drover_(ring|sender|heap))/;

async function runAgent(kind: AgentKind, sc: Scenario, farm: Farm, cfgPath: string, o: Options): Promise<AgentResult> {
  log(
    `\n== ${sc.name} / ${kind}: ${
      sc.members > 1 ? `${sc.members} members` : "one agent"
    }, ${sc.targets} targets × ${sc.series} series every ${sc.interval}s`,
  );
  await farm.pause(false);
  await farm.take();
  const members: AgentUnderTest[] = [];
  const onSignal = (): void =>
    void Promise.all(members.map((m) => m.close())).then(() => farm.close()).then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const startedMs = Date.now();
  try {
    for (let i = 0; i < sc.members; i++) {
      const cluster = sc.members > 1
        ? [`-promscrape.cluster.membersCount=${sc.members}`, `-promscrape.cluster.memberNum=${i}`]
        : [];
      members.push(await startAgent(kind, [`-promscrape.config=${cfgPath}`, ...cluster]));
    }
    const reported = await agentVersion(members[0]!);
    // The vmagent binary here was built without version ldflags (vm_app_version{version=""}).
    const version = reported === "unknown" && kind === "vmagent" ? "vmagent (binary reports no version)" : reported;
    log(`   ${version}; warm-up ${sc.warmup}s`);
    await Bun.sleep(sc.warmup * 1000);

    const warm = await farm.take();
    const metric = (name: string) =>
      Promise.all(members.map((m) => sumOrNaN(m, name))).then((xs) => xs.reduce((x, y) => x + y, 0));
    const agentCounters = async () => ({
      failed: await metric("vm_promscrape_scrapes_failed_total"),
      timedOut: await metric("vm_promscrape_scrapes_timed_out_total"),
      durSum: await metric("vm_promscrape_scrape_duration_seconds_sum"),
      durCount: await metric("vm_promscrape_scrape_duration_seconds_count"),
    });
    const c0 = await agentCounters();
    const cpu0 = members.map((m) => cpuSeconds(m.pid));
    const vm0 = members.reduce((s, m) => s + cpuSeconds(m.vm.p.pid), 0);
    const farm0 = cpuSeconds(farm.p.pid);
    const self0 = cpuSeconds("self");
    const busy0 = machineBusySeconds();
    const t0 = performance.now();
    log(`   measuring ${sc.seconds}s`);
    let endWindow!: () => void;
    const windowDone = new Promise<void>((res) => (endWindow = res));
    const poll = pollTargets(members, Math.max(sc.interval, 2) * 1000, windowDone);
    await Bun.sleep(sc.seconds * 1000);
    endWindow();
    const cpu1 = members.map((m) => cpuSeconds(m.pid));
    const vm1 = members.reduce((s, m) => s + cpuSeconds(m.vm.p.pid), 0);
    const farm1 = cpuSeconds(farm.p.pid);
    const self1 = cpuSeconds("self");
    const busy1 = machineBusySeconds();
    await farm.pause(true);
    const win = await farm.take();
    const windowSeconds = (performance.now() - t0) / 1000;
    const polled = await poll;
    // Read before the paused farm's 503s replace the errors seen in the window.
    const c1 = await agentCounters();
    const lastTargets = polled.last;
    const targetErrors: Record<string, number> = {};
    for (const t of lastTargets) {
      if (t.lastError !== "") {
        targetErrors[t.lastError.slice(0, 160)] = (targetErrors[t.lastError.slice(0, 160)] ?? 0) + 1;
      }
    }
    const targetsExcerpt = lastTargets
      .filter((t) => t.health !== "up" || t.lastError !== "")
      .slice(0, 3)
      .map((t) => `${t.key} health=${t.health} duration=${fmt(t.durationMs, 1)}ms error=${t.lastError}`)
      .join("\n");

    // Delivery: every body served since start (the farm is now paused) must reach VM.
    const lifetimeServed = warm.served + win.served;
    const wantData = lifetimeServed * sc.series;
    log(
      `   served ${win.served} scrapes in the window; waiting for ${
        fmtInt(wantData)
      } data samples in VM (≤${o.drainSeconds}s)`,
    );
    const d0 = performance.now();
    let got = { data: 0, up: 0 };
    let grewAt = d0;
    for (;;) {
      const range = (Date.now() - startedMs) / 1000 + 60;
      const parts = await Promise.all(members.map((m) => vmCounts(m, range)));
      const data = parts.reduce((s, p) => s + p.data, 0);
      if (data > got.data) grewAt = performance.now();
      got = { data, up: parts.reduce((s, p) => s + p.up, 0) };
      const now = performance.now();
      if (got.data >= wantData || now - d0 > o.drainSeconds * 1000 || now - grewAt > o.stallSeconds * 1000) break;
      await Bun.sleep(1000);
    }
    const drainSeconds = (performance.now() - d0) / 1000;
    if (got.data < wantData) {
      log(`   WARNING: VM has ${fmtInt(got.data)} of ${fmtInt(wantData)} data samples after ${fmt(drainSeconds, 1)}s`);
    }

    const rss = members.map((m) => peakRssBytes(m.pid));
    const cpu = cpu1.reduce((s, c, i) => s + c - cpu0[i]!, 0);
    const samples = win.served * sc.series;
    const expectedScrapes = (sc.targets * windowSeconds) / sc.interval;
    const late = win.gapsMs.filter((g) => g > 1.5 * sc.interval * 1000).length;
    const failed = c1.failed - c0.failed;
    const timedOut = c1.timedOut - c0.timedOut;
    const other = busy1 - busy0 - cpu - (vm1 - vm0) - (farm1 - farm0) - (self1 - self0);
    const activeSeries = sc.targets * sc.series;
    const trouble = late > 0 || failed > 0 || got.data < wantData || polled.down > 0 ||
      win.served > 1.1 * expectedScrapes;
    const perMemberServed = members.map(() => 0);
    // Which member scraped a target is not visible to the farm; per-member figures come from the agents.
    for (let i = 0; i < members.length; i++) {
      perMemberServed[i] = await sumOrNaN(members[i]!, "vm_promscrape_scrapes_total");
    }
    return {
      agent: kind,
      version,
      members: sc.members,
      windowSeconds,
      scrapesServed: win.served,
      samplesServed: samples,
      samplesPerSecond: samples / windowSeconds,
      agentCpuSeconds: cpu,
      samplesPerCpuSecond: samples / cpu,
      cpuSecondsPerMillionSamples: (cpu / samples) * 1e6,
      peakRssBytes: Math.max(...rss),
      peakRssSumBytes: rss.reduce((s, r) => s + r, 0),
      activeSeries,
      rssPerMillionSeriesBytes: rss.reduce((s, r) => s + r, 0) / (activeSeries / 1e6),
      scrapeDurP50Ms: percentile(polled.durations, 0.5),
      scrapeDurP90Ms: percentile(polled.durations, 0.9),
      scrapeDurP99Ms: percentile(polled.durations, 0.99),
      scrapeDurMaxMs: percentile(polled.durations, 1),
      scrapeDurationSamples: polled.durations.length,
      scrapeDurMeanMs: ((c1.durSum - c0.durSum) / (c1.durCount - c0.durCount)) * 1000,
      expectedScrapes,
      missedScrapes: expectedScrapes - win.served,
      lateScrapes: late,
      earlyScrapes: win.gapsMs.filter((g) => g < 0.5 * sc.interval * 1000).length,
      gapP50Ms: percentile(win.gapsMs, 0.5),
      gapP99Ms: percentile(win.gapsMs, 0.99),
      gapMaxMs: percentile(win.gapsMs, 1),
      failedScrapes: failed,
      timedOutScrapes: timedOut,
      targetsDownSeen: polled.down,
      deliveredRatio: wantData === 0 ? 0 : got.data / wantData,
      deliveredSamples: got.data,
      lifetimeSamplesServed: wantData,
      upRatio: lifetimeServed === 0 ? 0 : got.up / lifetimeServed,
      drainSeconds,
      vmCpuSeconds: vm1 - vm0,
      farmCpuSeconds: farm1 - farm0,
      benchCpuSeconds: self1 - self0,
      otherCpuSeconds: Math.max(0, other),
      perMember: members.map((m, i) => ({
        pid: m.pid,
        cpuSeconds: cpu1[i]! - cpu0[i]!,
        peakRssBytes: rss[i]!,
        scrapesServed: perMemberServed[i]!,
      })),
      logTail: trouble ? members.map((m) => m.output().slice(-1500)).join("\n---\n") : "",
      troubleMetrics: trouble
        ? (await Promise.all(members.map((m) => selectedMetrics(m, TROUBLE)))).join("\n---\n")
        : "",
      targetsExcerpt,
      targetErrors,
      targetPollErrors: polled.errors,
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await Promise.all(members.map((m) => m.close()));
  }
}

// ---- report ----------------------------------------------------------------

const mib = (n: number): string => fmt(n / 2 ** 20, 1);
const ms = (n: number): string => fmt(n, 1);

const ROWS: Row<AgentResult>[] = [
  { label: "samples scraped/s (farm served)", key: "samplesPerSecond", show: fmtInt },
  { label: "samples per agent CPU-second", key: "samplesPerCpuSecond", show: fmtInt },
  { label: "agent CPU-s per 1M samples", key: "cpuSecondsPerMillionSamples", show: (n) => fmt(n, 3) },
  { label: "agent CPU-s (window, all members)", key: "agentCpuSeconds", show: (n) => fmt(n, 2) },
  { label: "peak RSS (VmHWM, largest member), MiB", key: "peakRssBytes", show: mib },
  { label: "peak RSS, sum of members, MiB", key: "peakRssSumBytes", show: mib },
  { label: "RSS per 1M active series, MiB", key: "rssPerMillionSeriesBytes", show: mib },
  { label: "scrape duration p50, ms (/api/v1/targets)", key: "scrapeDurP50Ms", show: ms },
  { label: "scrape duration p90, ms", key: "scrapeDurP90Ms", show: ms },
  { label: "scrape duration p99, ms", key: "scrapeDurP99Ms", show: ms },
  { label: "scrape duration max, ms", key: "scrapeDurMaxMs", show: ms },
  { label: "scrape duration mean, ms (self-metrics)", key: "scrapeDurMeanMs", show: ms },
  { label: "scrapes served in window", key: "scrapesServed", show: fmtInt },
  { label: "scrapes expected (targets × window/interval)", key: "expectedScrapes", show: fmtInt },
  { label: "late scrapes (gap > 1.5 × interval)", key: "lateScrapes", show: fmtInt },
  { label: "early scrapes (gap < 0.5 × interval)", key: "earlyScrapes", show: fmtInt },
  { label: "scrape gap p50, ms (farm side)", key: "gapP50Ms", show: fmtInt },
  { label: "scrape gap p99, ms", key: "gapP99Ms", show: fmtInt },
  { label: "scrape gap max, ms", key: "gapMaxMs", show: fmtInt },
  { label: "failed scrapes (agent)", key: "failedScrapes", show: fmtInt },
  { label: "timed-out scrapes (agent)", key: "timedOutScrapes", show: fmtInt },
  { label: "delivered/served samples (lifetime)", key: "deliveredRatio", show: (n) => fmt(n, 4) },
  { label: "VM sum(up) / bodies served", key: "upRatio", show: (n) => fmt(n, 4) },
  { label: "victoria-metrics CPU-s (window)", key: "vmCpuSeconds", show: (n) => fmt(n, 2) },
  { label: "farm CPU-s (window)", key: "farmCpuSeconds", show: (n) => fmt(n, 2) },
  { label: "other processes CPU-s (window)", key: "otherCpuSeconds", show: (n) => fmt(n, 2) },
];

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const report: {
    scenario: Scenario;
    farmBodyBytes: number;
    results: AgentResult[];
    ratios: Record<string, number>;
    table: string;
  }[] = [];
  for (const name of o.scenarios) {
    const sc = scenarioOf(name, o);
    const farm = await Farm.start(sc, o);
    using dir = tempDir("bench-scrape-");
    const cfgPath = join(dir.path, "scrape.yml");
    writeFileSync(cfgPath, farm.config(sc));
    log(
      `farm: ${sc.targets} targets × ${sc.series} series on ports ${farm.ports.join(",")}, ${
        fmtInt(farm.bodyBytes)
      } bytes/page`,
    );
    const results: AgentResult[] = [];
    try {
      for (const kind of o.agents) results.push(await runAgent(kind, sc, farm, cfgPath, o));
    } finally {
      await farm.close();
    }
    const { text, ratios } = comparisonTable(results, ROWS);
    const title =
      `${sc.name}: ${sc.targets} targets × ${sc.series} series, interval ${sc.interval}s, ${sc.seconds}s window` +
      (sc.members > 1 ? `, ${sc.members} members per agent kind` : "");
    process.stdout.write(`\n### ${title}\n\n${text}\n`);
    for (const r of results) {
      if (r.perMember.length > 1) {
        process.stdout.write(
          `${r.agent} members: ${
            r.perMember.map((m) =>
              `cpu ${fmt(m.cpuSeconds, 2)}s rss ${mib(m.peakRssBytes)} MiB scrapes ${fmtInt(m.scrapesServed)}`
            ).join(" | ")
          }\n`,
        );
      }
      if (r.troubleMetrics !== "" || r.targetsExcerpt !== "") {
        process.stdout.write(`\n${r.agent}: trouble (late/failed/lost/down)\n`);
        if (r.targetsExcerpt !== "") {
          process.stdout.write(`  /api/v1/targets at the end of the window (first non-up):\n${r.targetsExcerpt}\n`);
        }
        process.stdout.write(
          `  lastError by message: ${
            JSON.stringify(r.targetErrors)
          }; failed /api/v1/targets polls: ${r.targetPollErrors}\n`,
        );
        if (r.logTail.trim() !== "") process.stdout.write(`  log tail:\n${r.logTail}\n`);
        if (r.troubleMetrics !== "") process.stdout.write(`  agent metrics:\n${r.troubleMetrics}\n`);
      }
    }
    report.push({ scenario: sc, farmBodyBytes: farm.bodyBytes, results, ratios, table: text });
  }
  const notes =
    "Agents ran one after the other, each with a fresh victoria-metrics per member, scraping the same farm (a separate " +
    "bun process). Samples = farm pages served with 200 in the window × series per page (auto-generated up/scrape_* " +
    "series not counted). CPU and peak RSS from /proc. Ratios are drover/vmagent.";
  process.stdout.write(`\n${notes}\n`);
  const file = writeResults(o.out, "scrape", {
    date: new Date().toISOString(),
    machine: machineInfo(),
    options: { ...o, out: undefined },
    scenarios: report,
    notes,
  });
  process.stdout.write(`\nwrote ${file}\n`);
}

await main();
