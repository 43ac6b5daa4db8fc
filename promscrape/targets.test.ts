import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScrapeConfig } from "./config.ts";
import { buildScrapeWork, type DroppedTarget, isScrapeWork, NO_CLUSTER, type ScrapeWork } from "./targets.ts";

async function job(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), "drover-targets-"));
  writeFileSync(join(dir, "c.yml"), yaml);
  const cfg = await loadScrapeConfig(join(dir, "c.yml"), { strictParse: true, env: {} });
  return { job: cfg.jobs[0]!, external: cfg.global.externalLabels };
}

describe("buildScrapeWork()", () => {
  test("builds URL, labels and settings as vmagent does", async () => {
    const { job: j, external } = await job(`
global: { scrape_interval: 10s, external_labels: { dc: eu1 } }
scrape_configs:
  - job_name: probe
    metrics_path: /probe
    params: { module: [http_2xx, extra], target: [a b] }
    relabel_configs:
      - { source_labels: [__address__], target_label: addr }
      - { target_label: __param_target, replacement: "x&y" }
      - { source_labels: [__meta_custom], target_label: custom }
    static_configs: [{ targets: [host1], labels: { env: prod } }]
`);
    const f = (labels: Record<string, string>, want: Partial<ScrapeWork> | DroppedTarget["reason"]) => {
      const r = buildScrapeWork(
        { job: j, externalLabels: external, cluster: NO_CLUSTER, dropOriginalLabels: false },
        labels,
      );
      if (typeof want === "string") {
        expect(isScrapeWork(r)).toBe(false);
        expect((r as DroppedTarget).reason).toBe(want);
      } else {
        expect(isScrapeWork(r)).toBe(true);
        expect(r).toMatchObject(want);
      }
    };
    f({ __address__: "host1", env: "prod", __meta_custom: "m" }, {
      scrapeURL: "http://host1:80/probe?module=http_2xx&module=extra&target=x%26y",
      labels: [["addr", "host1"], ["custom", "m"], ["env", "prod"], ["instance", "host1:80"], ["job", "probe"]],
      intervalMs: 10_000,
      timeoutMs: 10_000,
    });
    // Scheme and path inside __address__ (vmagent extension).
    f({ __address__: "https://host2/custom/path" }, {
      scrapeURL: "https://host2:443/custom/path?module=http_2xx&module=extra&target=x%26y",
    });
    // Relabeling may set the interval and an explicit instance.
    f({ __address__: "h:9", __scrape_interval__: "1m", instance: "mine" }, {
      intervalMs: 60_000,
      labels: [["addr", "h:9"], ["instance", "mine"], ["job", "probe"]],
    });
    f({ __address__: "" }, "missing scrape URL");
    f({ __address__: "h:1", __scrape_interval__: "bogus" }, "invalid label");
  });

  test("drops targets owned by other cluster members and names their owners", async () => {
    const { job: j } = await job(`
scrape_configs:
  - job_name: many
    static_configs: [{ targets: [${Array.from({ length: 30 }, (_, i) => `"t${i}:80"`).join(", ")}] }]
`);
    const counts = [0, 0, 0];
    for (let member = 0; member < 3; member++) {
      for (let i = 0; i < 30; i++) {
        const r = buildScrapeWork(
          {
            job: j,
            externalLabels: [],
            cluster: { membersCount: 3, memberNum: member, replicationFactor: 2, name: "", keyRule: "current" },
            dropOriginalLabels: false,
          },
          { __address__: `t${i}:80` },
        );
        if (isScrapeWork(r)) counts[member]!++;
        else {
          expect(r.reason).toBe("sharding");
          expect(r.owners).toHaveLength(2);
          expect(r.owners).not.toContain(member);
        }
      }
    }
    // replicationFactor 2: every target is scraped by exactly two members.
    expect(counts.reduce((a, b) => a + b)).toBe(60);
  });

  test("the phase depends on the cluster name, so HA groups scrape at different instants", async () => {
    const { job: j } = await job(`scrape_configs:\n  - job_name: x\n    static_configs: [{ targets: ["a:1"] }]\n`);
    const phase = (name: string) => {
      const r = buildScrapeWork({
        job: j,
        externalLabels: [],
        cluster: { ...NO_CLUSTER, name },
        dropOriginalLabels: false,
      }, { __address__: "a:1" });
      return (r as ScrapeWork).phaseNs;
    };
    expect(phase("A")).not.toBe(phase("B"));
    expect(phase("A")).toBe(phase("A"));
  });
});
