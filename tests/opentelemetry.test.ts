/**
 * OpenTelemetry metrics end to end: OTLP/HTTP protobuf requests (encoded with
 * protobufjs from protocols/opentelemetry/metrics.proto) through Drover into
 * a real VictoriaMetrics, checked through its export.
 *
 * vmagent v1.79.5 has no OpenTelemetry endpoint (400 "unsupported path"), so
 * there is no differential test: the expectations follow current vmagent's
 * conversion (lib/protoparser/opentelemetry/pb DecodeMetricsData and
 * stream/streamparser.go), mirrored from vmagent's own parser tests in
 * protocols/opentelemetry/parse.test.ts.
 *
 * @module
 */

import { describe, expect, test } from "bun:test";
import { SeriesWriter } from "../protocols/_shared/series_writer.ts";
import { parseOpenTelemetry } from "../protocols/opentelemetry/parse.ts";
import { ADVERSARIAL, collectorRequest, encodeRequest, INVALID } from "../protocols/opentelemetry/testdata.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { Drover, have, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

async function post(url: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/x-protobuf", ...headers },
  });
  return `${res.status} ${await res.text()}`;
}

/** Samples the parser writes for `body` (what VictoriaMetrics must end up with). */
function samplesOf(body: Uint8Array, naming: boolean): number {
  const b = new BlockBuilder();
  const w = new SeriesWriter(b, [], () => {});
  parseOpenTelemetry(body, w, { usePrometheusNaming: naming });
  return b.rows;
}

describe.skipIf(!have("victoria-metrics"))("opentelemetry through Drover into VictoriaMetrics", () => {
  test("collector and adversarial requests, both paths, gzip, errors", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    await using d = await Drover.start([`-remoteWrite.url=${vm.writeURL}`, `-remoteWrite.tmpDataPath=${dir.path}`]);
    const url = `${d.url}/opentelemetry/v1/metrics`;
    const collector = encodeRequest(collectorRequest(12));
    const adv = ADVERSARIAL.map(encodeRequest);
    expect(await post(url, collector)).toBe("200 ");
    expect(await post(`${d.url}/opentelemetry/api/v1/push?extra_label=via=push`, adv[0]!)).toBe("200 ");
    expect(await post(url, Bun.gzipSync(adv[1]! as Uint8Array<ArrayBuffer>), { "Content-Encoding": "gzip" })).toBe(
      "200 ",
    );
    for (const bad of INVALID) expect(await post(url, bad)).toStartWith("400 ");
    expect(await post(url, new TextEncoder().encode('{"resourceMetrics":[]}'), { "Content-Type": "application/json" }))
      .toContain(
        "json encoding isn't supported for opentelemetry format",
      );

    // Every sample is its own series here. VictoriaMetrics drops the NaN value (staleness markers are kept)
    // and the one timestamped in 2554; its export has bare NaN/Inf, so lines are counted, not parsed.
    const rows = samplesOf(collector, false) + samplesOf(adv[0]!, false) + samplesOf(adv[1]!, false);
    const exported = async () => {
      await fetch(`${vm.url}/internal/force_flush`);
      const text = await (await fetch(`${vm.url}/api/v1/export?match[]=${encodeURIComponent('{__name__=~".+"}')}`))
        .text();
      return text.split("\n").filter((l) => l !== "");
    };
    await waitFor(`${rows - 2} series`, async () => (await exported()).length === rows - 2);
    const lines = await exported();
    expect(lines).toContain('{"metric":{"__name__":"vals","v":"stale"},"values":[NaN],"timestamps":[1700000002000]}');
    expect(lines).toContain('{"metric":{"__name__":"vals","v":"nots"},"values":[6],"timestamps":[0]}');

    // This VictoriaMetrics cannot match dotted label names, so `svc` filters on service.name here.
    const all = async (match: string, svc?: string) =>
      (await vm.export(match)).filter((s) => svc === undefined || s.metric["service.name"] === svc);
    const one = async (match: string, svc?: string) => {
      const s = await all(match, svc);
      expect(s).toHaveLength(1);
      return s[0]!;
    };
    const res = {
      "service.name": "checkout",
      "host.name": "node-1",
      "k8s.pod.name": "checkout-7d9f",
      "process.pid": "4242",
    };
    const scope = { "scope.name": "io.opentelemetry.runtime", "scope.version": "1.2.3" };
    expect(await one('{__name__="http.server.duration.2_bucket",le="10"}', "checkout")).toEqual({
      metric: { __name__: "http.server.duration.2_bucket", ...res, ...scope, state: "idle", cpu: "2", le: "10" },
      values: [3],
      timestamps: [1700000000000 + 2000],
    });
    const exp = await all('{__name__="rpc.latency.3_bucket"}', "checkout");
    expect(exp.map((s) => s.metric.vmrange).sort()).toEqual([
      "0.000e+00...1.000e-09",
      "1.000e+00...1.189e+00",
      "5.946e-01...7.071e-01",
      "8.409e-01...1.000e+00",
    ]);
    expect((await one('{__name__="go.gc.pause.4",quantile="0.99"}', "checkout")).values).toEqual([0.3]);
    // the second resource has no scope: no scope labels
    expect((await one('{__name__="system.cpu.utilization.0"}', "cart")).metric).toEqual({
      __name__: "system.cpu.utilization.0",
      "service.name": "cart",
      "host.name": "node-1",
      "k8s.pod.name": "cart-7d9f",
      "process.pid": "4242",
      state: "user",
      cpu: "0",
    });
    const attrs = await one('{__name__="attrs"}');
    expect(attrs.metric).toMatchObject({
      via: "push",
      b: "true",
      f: "1000000000000000000000",
      "kv.b.c": "2",
      "scope.attributes.sn.deep": "y",
    });
    expect((await one('{__name__="delta.sum"}')).values).toEqual([3]);
    expect(await d.metric('vmagent_rows_inserted_total{type="opentelemetry"}')).toBe(rows);
  }, 60_000);

  test("-opentelemetry.usePrometheusNaming", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    await using d = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-opentelemetry.usePrometheusNaming",
    ]);
    expect(await post(`${d.url}/opentelemetry/v1/metrics`, encodeRequest(ADVERSARIAL[2]!))).toBe("200 ");
    await waitFor("naming samples", async () => (await vm.sampleCount()) === 9);
    const names = (await vm.export()).map((s) => s.metric.__name__).sort();
    expect(names).toEqual([
      "braces_per_ms",
      "cpu_usage_ratio",
      "http_server_duration_milliseconds_bucket",
      "http_server_duration_milliseconds_bucket",
      "http_server_duration_milliseconds_count",
      "http_server_duration_milliseconds_sum",
      "inherits_unit_per_ms",
      "requests_count_total",
      "throughput_bytes_per_second",
    ]);
    expect((await vm.export('{__name__="cpu_usage_ratio"}'))[0]!.metric).toEqual({
      __name__: "cpu_usage_ratio",
      service_name: "naming",
      key_private: "1",
      key_0digit: "2",
      __reserved: "3",
    });
  }, 60_000);
});
