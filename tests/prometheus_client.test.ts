/**
 * A real client: Prometheus (Debian package) scrapes itself and
 * remote-writes into Drover, which relays to victoria-metrics.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Drover, freePort, have, Proc, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

const READY = have("victoria-metrics") && have("prometheus");

describe.skipIf(!READY)("Prometheus remote write into Drover", () => {
  test("Prometheus's own series arrive in VictoriaMetrics with their labels", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    await using d = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
    ]);
    const promPort = await freePort();
    const cfg = join(dir.path, "prometheus.yml");
    writeFileSync(
      cfg,
      `global:
  scrape_interval: 1s
  external_labels:
    replica: p1
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:${promPort}"]
remote_write:
  - url: ${d.url}/api/v1/write
    queue_config:
      batch_send_deadline: 1s
`,
    );
    await using prom = new Proc("prometheus", [
      "prometheus",
      `--config.file=${cfg}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      `--storage.tsdb.path=${join(dir.path, "tsdb")}`,
      "--log.level=warn",
    ]);
    await waitFor(
      "Prometheus samples in VictoriaMetrics",
      async () => (await vm.sampleCount('up{job="prometheus"}')) >= 3,
      60_000,
    );
    const up = await vm.export('up{job="prometheus"}');
    expect(up[0]!.metric).toEqual({
      __name__: "up",
      job: "prometheus",
      instance: `127.0.0.1:${promPort}`,
      replica: "p1",
    });
    expect(up[0]!.values.every((v) => v === 1)).toBe(true);
    expect(await d.metric('vmagent_http_request_errors_total{path="/api/v1/write",protocol="promremotewrite"}')).toBe(
      0,
    );
    await prom.stop();
  });
});
