/**
 * Stream parsing: a target whose response is far bigger than a parse ring
 * message (and than -promscrape.minResponseSizeForStreamParse) is scraped in
 * parts; every series arrives, and vanished series still get stale markers.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Drover, have, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

const SERIES = 200_000;

describe.skipIf(!have("victoria-metrics"))("stream parsing of big scrape responses", () => {
  test(`a ${SERIES}-series target is scraped completely through small rings`, async () => {
    let scrapes = 0;
    const base = Array.from({ length: SERIES }, (_, i) => `big_metric{idx="${i}",pad="${"p".repeat(20)}"} ${i}\n`).join(
      "",
    );
    using target = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch() {
        scrapes++;
        // Every other scrape carries one extra series that then vanishes.
        return new Response(scrapes % 2 === 1 ? base + "vanishing 1\n" : base);
      },
    });
    using dir = tempDir();
    writeFileSync(
      join(dir.path, "s.yml"),
      `scrape_configs:\n  - job_name: big\n    scrape_interval: 2s\n    static_configs:\n      - targets: ["127.0.0.1:${target.port}"]\n`,
    );
    await using vm = await VictoriaMetrics.start();
    await using _d = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
      `-promscrape.config=${join(dir.path, "s.yml")}`,
      // The body (~11 MB) is bigger than a ring message (ringBufferSize/2 = 2 MiB).
      "-ringBufferSize=4MiB",
      "-promscrape.minResponseSizeForStreamParse=1MB",
    ]);
    await waitFor("two full scrapes", async () => (await vm.sampleCount('up{job="big"}')) >= 2, 60_000);
    await waitFor(
      "all series of the first scrapes",
      async () => (await vm.sampleCount('big_metric{idx=~"1999.."}')) >= 200,
      60_000,
    );
    const up = await vm.export('up{job="big"}');
    expect(up[0]!.values.every((v) => v === 1)).toBe(true);
    const samples = await vm.export('scrape_samples_scraped{job="big"}');
    expect(samples[0]!.values.some((v) => v === SERIES || v === SERIES + 1)).toBe(true);
    await waitFor("the vanishing series marked stale", async () => {
      const v = await vm.export('vanishing{job="big"}');
      return v.length === 1 && v[0]!.values.some(Number.isNaN);
    }, 30_000);
  });
});
