/**
 * Scrape bookkeeping that must match vmagent v1.79.5 exactly (issue 15,
 * items 7–9): the same `-promscrape.config` and the same scripted targets
 * through the real vmagent and through Drover, one after the other, each
 * into its own victoria-metrics. Compared: which series get stale markers
 * when a target leaves file_sd (its `up` and `scrape_*` series too), the
 * values of `scrape_series_added` (duplicate rows, rows dropped by
 * relabeling), and what a response over `sample_limit` leaves behind (stale
 * markers for its rows at the next good scrape, which does not count them
 * as added).
 *
 * Each target answers its k-th scrape with the k-th body of its script (the
 * last one from then on), so both agents see the same sequence whatever
 * their scrape phase; nothing depends on timing but waits.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Drover,
  type ExportedSeries,
  have,
  type Proc,
  tempDir,
  VictoriaMetrics,
  VmAgent,
  waitFor,
} from "./_harness.ts";

const READY = have("victoria-metrics") && have("vmagent");

const SCRIPTS: Record<string, string[]> = {
  // Leaves file_sd after a few scrapes.
  sd: ['gone_a 1\ngone_b{x="1"} 2\n'],
  // scrape_series_added: 2; then c twice and d_x (dropped by relabeling): 3; then a second a and d_y: 2; then 0.
  added: [
    "a 1\nb 1\n",
    "a 1\nb 1\nc 1\nc 1\nd_x 1\n",
    "a 1\na 1\nb 1\nc 1\nc 1\nd_x 1\nd_y 1\n",
  ],
  // sample_limit 3: good, over the limit (x, y and z go stale), good again (y, z and w go stale; only v is added).
  lim: ["x 1\ny 1\nz 1\n", "x 1\ny 1\nz 1\nw 1\n", "x 1\nv 1\n"],
};

function startFarm() {
  const hits = new Map<string, number>();
  const servers = Object.fromEntries(
    Object.entries(SCRIPTS).map(([job, bodies]) => [
      job,
      Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch() {
          const k = hits.get(job) ?? 0;
          hits.set(job, k + 1);
          return new Response(bodies[Math.min(k, bodies.length - 1)]);
        },
      }),
    ]),
  );
  return { servers, reset: () => hits.clear(), stop: () => Object.values(servers).forEach((s) => s.stop(true)) };
}

function config(farm: ReturnType<typeof startFarm>, sdFile: string): string {
  const target = (job: string) => `"127.0.0.1:${farm.servers[job]!.port}"`;
  return `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: sd
    sample_limit: 100
    file_sd_configs:
      - files: ["${sdFile}"]
  - job_name: added
    static_configs:
      - targets: [${target("added")}]
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: "d_.*"
        action: drop
  - job_name: lim
    sample_limit: 3
    static_configs:
      - targets: [${target("lim")}]
`;
}

/** Values by `name{job,…}` (instance left out), in timestamp order; stale markers are NaN. */
type Series = Map<string, number[]>;

function bySeries(series: ExportedSeries[]): Series {
  const m: Series = new Map();
  for (const s of series) {
    const { __name__, instance: _, ...rest } = s.metric;
    const labels = Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
    const idx = s.timestamps.map((_, i) => i).sort((a, b) => s.timestamps[a]! - s.timestamps[b]!);
    m.set(`${__name__}{${labels.join(",")}}`, idx.map((i) => s.values[i]!));
  }
  return m;
}

/** Runs one agent over the farm until the scripts are played out and the sd target is gone; returns its series. */
async function runAgent(
  farm: ReturnType<typeof startFarm>,
  sdFile: string,
  start: (vm: VictoriaMetrics) => Promise<{ p: Proc }>,
): Promise<Series> {
  farm.reset();
  writeFileSync(sdFile, JSON.stringify([{ targets: [`127.0.0.1:${farm.servers.sd!.port}`] }]));
  await using vm = await VictoriaMetrics.start();
  const agent = await start(vm);
  try {
    const count = (m: string) => vm.sampleCount(m);
    await waitFor(
      "5 scrapes of the scripted targets",
      async () =>
        (await count('scrape_series_added{job="added"}')) >= 5 &&
        (await count('scrape_series_added{job="lim"}')) >= 5 &&
        (await count('up{job="sd"}')) >= 3,
      30_000,
    );
    writeFileSync(sdFile, "[]");
    await waitFor("stale markers of the target that left file_sd", async () => {
      const up = await vm.export('up{job="sd"}');
      return up.some((s) => s.values.some(Number.isNaN));
    }, 30_000);
  } finally {
    await agent.p.stop();
  }
  return bySeries(await vm.export());
}

/** The series of `job` that got stale markers, sorted. */
function staleSeries(s: Series, job: string): string[] {
  return [...s].filter(([k, v]) => k.includes(`job=${job}`) && v.some(Number.isNaN)).map(([k]) => k).sort();
}

/** How many stale markers each series of `job` got (series without any left out). */
function staleCounts(s: Series, job: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of s) {
    const n = v.filter(Number.isNaN).length;
    if (k.includes(`job=${job}`) && n > 0) out[k] = n;
  }
  return out;
}

describe.skipIf(!READY)("scrape fidelity: vmagent v1.79.5 and Drover over the same scripted targets", () => {
  let runs: Promise<{ vmagent: Series; drover: Series }> | undefined;
  /** Both agents, run once for all the tests below (one after the other: the scripts count scrapes). */
  const both = () =>
    runs ??= (async () => {
      using dir = tempDir();
      const farm = startFarm();
      try {
        const sdFile = join(dir.path, "targets.json");
        const cfg = join(dir.path, "scrape.yml");
        writeFileSync(cfg, config(farm, sdFile));
        const common = [`-promscrape.config=${cfg}`, "-promscrape.fileSDCheckInterval=1s"];
        const vmagent = await runAgent(
          farm,
          sdFile,
          (vm) => VmAgent.start([`-remoteWrite.url=${vm.writeURL}`, ...common]),
        );
        const drover = await runAgent(farm, sdFile, (vm) =>
          Drover.start([
            `-remoteWrite.url=${vm.writeURL}`,
            `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
            ...common,
          ]));
        return { vmagent, drover };
      } finally {
        farm.stop();
      }
    })();

  test("a target removed from file_sd: stale markers for its series, up and four scrape_* series", async () => {
    const { vmagent, drover } = await both();
    const want = [
      "gone_a{job=sd}",
      "gone_b{job=sd,x=1}",
      "scrape_duration_seconds{job=sd}",
      "scrape_samples_post_metric_relabeling{job=sd}",
      "scrape_samples_scraped{job=sd}",
      "scrape_series_added{job=sd}",
      "up{job=sd}",
    ];
    expect(staleSeries(vmagent, "sd")).toEqual(want);
    expect(staleSeries(drover, "sd")).toEqual(want);
    // Written while the target lived, never marked stale.
    for (const s of [vmagent, drover]) {
      expect(s.get("scrape_timeout_seconds{job=sd}")?.every((v) => v === 1)).toBe(true);
      expect(s.get("scrape_samples_limit{job=sd}")?.every((v) => v === 100)).toBe(true);
    }
  }, 120_000);

  test("scrape_series_added: raw rows new since the last response, duplicates, rows relabeling drops", async () => {
    const { vmagent, drover } = await both();
    const first = (s: Series) => s.get("scrape_series_added{job=added}")!.slice(0, 5);
    expect(first(vmagent)).toEqual([2, 3, 2, 0, 0]);
    expect(first(drover)).toEqual(first(vmagent));
    expect(staleSeries(drover, "added")).toEqual(staleSeries(vmagent, "added"));
    expect(staleSeries(vmagent, "added")).toEqual([]);
  }, 120_000);

  test("sample_limit exceeded, then a good scrape: rejected rows go stale, are not added again", async () => {
    const { vmagent, drover } = await both();
    const first = (s: Series, name: string) => s.get(`${name}{job=lim}`)!.slice(0, 4);
    for (const s of [vmagent, drover]) {
      expect(first(s, "up")).toEqual([1, 0, 1, 1]);
      expect(first(s, "scrape_series_added")).toEqual([3, 0, 1, 0]);
    }
    const want = { "w{job=lim}": 1, "x{job=lim}": 1, "y{job=lim}": 2, "z{job=lim}": 2 };
    expect(staleCounts(vmagent, "lim")).toEqual(want);
    expect(staleCounts(drover, "lim")).toEqual(want);
  }, 120_000);
});
