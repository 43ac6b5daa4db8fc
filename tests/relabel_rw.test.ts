/**
 * `-remoteWrite.relabelConfig` (global) and `-remoteWrite.urlRelabelConfig`
 * (per URL): the same input through the real vmagent and through Drover,
 * each with two URLs (the second one relabeled), must arrive identically.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonical, Drover, have, makeWriteRequest, tempDir, VictoriaMetrics, VmAgent, waitFor } from "./_harness.ts";

const READY = have("victoria-metrics") && have("vmagent");

describe.skipIf(!READY)("remote-write relabeling vs vmagent", () => {
  test("global and per-URL relabel configs give the same series as vmagent", async () => {
    using dir = tempDir();
    const global = join(dir.path, "global.yml");
    writeFileSync(
      global,
      `- source_labels: [__name__]
  regex: "rl_metric"
  target_label: stage
  replacement: global
- source_labels: [series]
  regex: "1.*"
  action: drop
- action: labeldrop
  regex: label2
`,
    );
    const perUrl = join(dir.path, "url2.yml");
    writeFileSync(
      perUrl,
      `- source_labels: [label0]
  regex: "value-0-(.*)"
  target_label: shard
  replacement: "s$1"
- source_labels: [series]
  regex: "[5-9]"
  action: keep
`,
    );
    const vms = {
      vmagent: [await VictoriaMetrics.start(), await VictoriaMetrics.start()],
      drover: [await VictoriaMetrics.start(), await VictoriaMetrics.start()],
    };
    try {
      const args = (urls: VictoriaMetrics[]) => [
        `-remoteWrite.url=${urls[0]!.writeURL}`,
        `-remoteWrite.url=${urls[1]!.writeURL}`,
        `-remoteWrite.relabelConfig=${global}`,
        `-remoteWrite.urlRelabelConfig=,${perUrl}`,
        "-remoteWrite.label=dc=eu1",
      ];
      await using agent = await VmAgent.start(args(vms.vmagent));
      await using d = await Drover.start([...args(vms.drover), `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`]);
      for (const base of [agent.url, d.url]) {
        const res = await fetch(`${base}/api/v1/write?extra_label=env=prod`, {
          method: "POST",
          body: makeWriteRequest({ prefix: "rl", series: 30 }),
        });
        expect(res.status).toBe(204);
        const influx = await fetch(`${base}/write`, {
          method: "POST",
          body: "inf,series=7,label0=value-0-3 v=1 1700000000000000000\ninf,series=12 v=2 1700000000000000000\n",
        });
        expect(influx.status).toBe(204);
      }
      // URL 1: 30 series minus the 11 with series=1* (1, 10..19) = 19, plus 1 influx series; URL 2: series 5..9 only.
      await waitFor(
        "URL 1 of both",
        async () => (await vms.vmagent[0]!.sampleCount()) >= 20 && (await vms.drover[0]!.sampleCount()) >= 20,
        20_000,
      );
      await waitFor(
        "URL 2 of both",
        async () => (await vms.vmagent[1]!.sampleCount()) >= 6 && (await vms.drover[1]!.sampleCount()) >= 6,
        20_000,
      );
      for (const i of [0, 1]) {
        const a = canonical(await vms.vmagent[i]!.export());
        const b = canonical(await vms.drover[i]!.export());
        expect(b).toEqual(a);
      }
      expect(canonical(await vms.drover[1]!.export()).every((s) => s.includes('"shard"'))).toBe(true);
    } finally {
      for (const vm of [...vms.vmagent, ...vms.drover]) await vm[Symbol.asyncDispose]();
    }
  });
});
