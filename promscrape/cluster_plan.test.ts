import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ownersOf, type ShardKeyRule } from "../sharding/cluster.ts";
import { computePlan, formatPlan, type PlanInput, resolvePlanInput } from "./cluster_plan.ts";
import { loadScrapeConfig } from "./config.ts";
import { NO_CLUSTER } from "./targets.ts";

const FIXTURE = join(import.meta.dir, "testdata", "plan.yml");
const quiet = { info() {}, warn() {}, error() {} };

async function input(yaml: string, cluster: Partial<typeof NO_CLUSTER> = {}): Promise<PlanInput> {
  const dir = mkdtempSync(join(tmpdir(), "drover-plan-"));
  writeFileSync(join(dir, "c.yml"), yaml);
  const loaded = await loadScrapeConfig(join(dir, "c.yml"), { strictParse: true, env: {} });
  return (await resolvePlanInput(loaded, { cluster: { ...NO_CLUSTER, ...cluster }, timeoutMs: 1000, log: quiet }))
    .input;
}

/** n static targets with a param and an external label; keys computed by hand below. */
function farm(n: number): string {
  const targets = Array.from({ length: n }, (_, i) => `"h${i}:9100"`).join(", ");
  return `
global: { scrape_interval: 15s, external_labels: { dc: eu1 } }
scrape_configs:
  - job_name: j
    static_configs: [{ targets: [${targets}] }]
`;
}

/** The v1.79.5 / current keys of farm() target i, per vmagent-features.md §c. */
function farmKey(i: number, rule: ShardKeyRule): string {
  const base =
    `__address__=h${i}:9100,__metrics_path__=/metrics,__scheme__=http,__scrape_interval__=15s,__scrape_timeout__=10s,`;
  return rule === "v1.79.5" ? `${base}dc=eu1,job=j,` : `${base}job=j,`;
}

describe("computePlan()", () => {
  test("owners match ownersOf() on the hand-built key, for both key rules", async () => {
    const f = async (n: number, rf: number, rule: ShardKeyRule) => {
      const p = computePlan(await input(farm(40), { membersCount: n, replicationFactor: rf, keyRule: rule }));
      expect(p.targets.length).toBe(40);
      for (const t of p.targets) {
        const i = Number(/h(\d+):/.exec(t.scrapeURL)![1]);
        expect(t.owners).toEqual(ownersOf(farmKey(i, rule), n, rf).sort((a, b) => a - b));
      }
      expect(p.perMember.reduce((s, x) => s + x, 0)).toBe(40 * Math.min(rf, n));
      expect(p.imbalance).toBeCloseTo(Math.max(...p.perMember) / ((40 * Math.min(rf, n)) / n), 10);
    };
    await f(3, 1, "v1.79.5");
    await f(3, 2, "v1.79.5");
    await f(4, 1, "current");
    await f(5, 3, "current");
    await f(2, 5, "v1.79.5"); // rf capped at membersCount
  });

  test("resizes count targets whose owner set changes", async () => {
    const f = async (n: number, rf: number) => {
      const p = computePlan(await input(farm(60), { membersCount: n, replicationFactor: rf, keyRule: "v1.79.5" }));
      const want = [n - 1, n + 1].filter((s) => s >= 1).map((size) => {
        let moved = 0;
        let added = 0;
        for (let i = 0; i < 60; i++) {
          const a = new Set(ownersOf(farmKey(i, "v1.79.5"), n, rf));
          const b = ownersOf(farmKey(i, "v1.79.5"), size, rf);
          if (a.size !== b.length || b.some((m) => !a.has(m))) moved++;
          added += b.filter((m) => !a.has(m)).length;
        }
        return { membersCount: size, movedTargets: moved, newAssignments: added };
      });
      expect(p.resizes).toEqual(want);
    };
    await f(3, 1);
    await f(3, 2);
    await f(2, 1);
    await f(1, 1);
  });

  test("no clustering: one member scrapes everything", async () => {
    const p = computePlan(await input(farm(5)));
    expect(p.membersCount).toBe(1);
    expect(p.perMember).toEqual([5]);
    expect(p.imbalance).toBe(1);
    expect(p.targets.every((t) => t.owners.length === 1 && t.owners[0] === 0)).toBe(true);
    expect(p.resizes.map((r) => r.membersCount)).toEqual([2]);
  });

  test("relabel drops are counted, duplicates planned once, empty config is 0", async () => {
    const p = computePlan(
      await input(
        `
scrape_configs:
  - job_name: a
    static_configs: [{ targets: [x:1, x:1, y:1, z:1] }]
    relabel_configs: [{ source_labels: [__address__], regex: "z:1", action: drop }]
`,
        { membersCount: 2 },
      ),
    );
    expect(p.targets.map((t) => t.instance)).toEqual(["x:1", "y:1"]);
    expect(p.droppedTargets).toBe(1);
    const empty = computePlan(await input("scrape_configs: []\n", { membersCount: 3 }));
    expect([empty.targets.length, empty.perMember, empty.imbalance]).toEqual([0, [0, 0, 0], 0]);
  });

  test("fixture: file_sd targets are resolved; the reference key lands where ownersOf() says", async () => {
    const loaded = await loadScrapeConfig(FIXTURE, { strictParse: true, env: {} });
    const { input: inp, warnings } = await resolvePlanInput(loaded, {
      cluster: { ...NO_CLUSTER, membersCount: 3, replicationFactor: 1, keyRule: "v1.79.5" },
      timeoutMs: 5000,
      log: quiet,
    });
    expect(warnings).toEqual([]);
    const p = computePlan(inp);
    expect(p.targets.length).toBe(4 + 6);
    expect(p.droppedTargets).toBe(1);
    // Verified against vmagent v1.79.5 (vmagent-features.md §c).
    const key =
      "__address__=127.0.0.1:10021,__metrics_path__=/m,__param_foo=bar,__scheme__=http,__scrape_interval__=15s,__scrape_timeout__=10s,aaa_added=x,dc=eu1,instance=127.0.0.1:10021,job=relab,";
    const t = p.targets.find((x) => x.scrapeURL === "http://127.0.0.1:10021/m?foo=bar")!;
    expect(t.owners).toEqual(ownersOf(key, 3, 1));
    const text = formatPlan(p);
    expect(text).toContain(
      `target job="relab" instance="127.0.0.1:10021" url=http://127.0.0.1:10021/m?foo=bar members=${t.owners[0]}\n`,
    );
    expect(text).toMatch(/^member 0: \d+ targets$/m);
    expect(text).toMatch(/^imbalance \(max\/mean\): \d\.\d{3}$/m);
    expect(text).toMatch(/^with membersCount=2: \d+ of 10 targets move/m);
    expect(text).toMatch(/^with membersCount=4: \d+ of 10 targets move/m);
  });
});

describe("-promscrape.cluster.plan", () => {
  test("bun main.ts prints the plan and exits 0", async () => {
    const f = async (args: string[], want: { code: number; stdout?: RegExp[]; stderr?: RegExp }) => {
      const p = Bun.spawn([process.execPath, join(import.meta.dir, "..", "main.ts"), ...args], {
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr, code] = await Promise.all([
        new Response(p.stdout).text(),
        new Response(p.stderr).text(),
        p.exited,
      ]);
      expect({ code, stderr }).toMatchObject({ code: want.code });
      for (const re of want.stdout ?? []) expect(stdout).toMatch(re);
      if (want.stderr !== undefined) expect(stderr).toMatch(want.stderr);
      return stdout;
    };
    const out = await f(
      [
        `-promscrape.config=${FIXTURE}`,
        "-promscrape.cluster.plan",
        "-promscrape.cluster.membersCount=3",
        "-promscrape.cluster.replicationFactor=2",
        "-promscrape.cluster.keyRule=v1.79.5",
      ],
      {
        code: 0,
        stdout: [
          /^# cluster plan: membersCount=3 replicationFactor=2$/m,
          /^target job="files" instance="10\.0\.0\.1:9100" url=http:\/\/10\.0\.0\.1:9100\/metrics members=\d,\d$/m,
          /^with membersCount=4: /m,
        ],
      },
    );
    const counts = [...out.matchAll(/^member \d: (\d+) targets$/gm)].map((m) => Number(m[1]));
    expect(counts.length).toBe(3);
    expect(counts.reduce((s, x) => s + x, 0)).toBe(20);
    await f([`-promscrape.config=/nonexistent/x.yml`, "-promscrape.cluster.plan"], {
      code: 1,
      stderr: /Cannot load -promscrape.config/,
    });
  });
});
