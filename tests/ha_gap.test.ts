/**
 * HA gap caused by a failing replica (vmagent issue 10196): two Drover
 * replicas scrape the same target; the target starts failing for replica A
 * only. A writes stale markers and up=0, B keeps real samples. With
 * `-dedup.minScrapeInterval` = scrape interval, every interval of the
 * deduplicated data must hold B's number, never A's NaN.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Drover, have, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

describe.skipIf(!have("victoria-metrics"))("HA: a failing replica does not punch holes", () => {
  test("stale markers of A's failed scrapes never win over B's samples", async () => {
    using dir = tempDir();
    let failA = false;
    let aFailures = 0;
    using target = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        if (failA && req.headers.get("x-replica") === "A") {
          aFailures++;
          return new Response("unavailable for A", { status: 503 });
        }
        return new Response('work_items{queue="q1"} 42\n');
      },
    });
    const cfg = (replica: string) => {
      const p = join(dir.path, `${replica}.yml`);
      writeFileSync(
        p,
        `scrape_configs:\n  - job_name: app\n    scrape_interval: 1s\n    headers: ["X-Replica: ${replica}"]\n    static_configs:\n      - targets: ["127.0.0.1:${target.port}"]\n`,
      );
      return p;
    };
    await using vm = await VictoriaMetrics.start(["-dedup.minScrapeInterval=1s"]);
    const start = (replica: string) =>
      Drover.start([
        `-remoteWrite.url=${vm.writeURL}`,
        `-remoteWrite.tmpDataPath=${join(dir.path, `q-${replica}`)}`,
        `-promscrape.config=${cfg(replica)}`,
        `-promscrape.cluster.name=${replica}`,
      ]);
    await using a = await start("A");
    await using b = await start("B");
    await waitFor("both replicas scraping", async () => (await vm.sampleCount("work_items")) >= 4, 20_000);
    failA = true;
    const failedFrom = Date.now();
    await waitFor("several failed scrapes of A", () => aFailures >= 6, 20_000);
    const failedTo = Date.now();
    await a.p.stop();
    await b.p.stop();
    const series = await vm.export("work_items");
    expect(series).toHaveLength(1);
    const s = series[0]!;
    const inWindow = s.timestamps.map((t, i) => [t, s.values[i]!] as const).filter(([t]) =>
      t >= failedFrom && t <= failedTo
    );
    expect(inWindow.length).toBeGreaterThanOrEqual(4);
    // Every deduplicated interval during A's failure holds B's number.
    expect(inWindow.filter(([, v]) => Number.isNaN(v))).toEqual([]);
    // …and A really did write stale markers and up=0 (B's up=1 wins the dedup of `up` too).
    const up = await vm.export("up");
    expect(up[0]!.values.filter((v) => v === 0).length).toBe(0);
  });
});
