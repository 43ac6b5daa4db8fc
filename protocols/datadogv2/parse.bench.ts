/**
 * Throughput of parseDatadogV2() on datadog-agent-like JSON and protobuf
 * payloads. Run: `bun protocols/datadogv2/parse.bench.ts`.
 */
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parseDatadogV2 } from "./parse.ts";
import { agentPayloadV2, encodeMetricPayload, type PbSeries } from "./testdata.ts";

const json = new TextEncoder().encode(agentPayloadV2(20_000));
const pbSeries: PbSeries[] = [];
for (let i = 0; i < 20_000; i++) {
  pbSeries.push({
    metric: `system.net.bytes_rcvd.${i % 11}`,
    resources: [["host", `host-${i % 13}`]],
    tags: ["env:prod", `service:web-${i % 5}`, "device:eth0", "role:db"],
    points: [[1_700_000_000 + (i % 60), i * 0.5], [1_700_000_010 + (i % 60), i * 0.25]],
    sourceTypeName: "System",
  });
}
const pb = encodeMetricPayload(pbSeries);
const b = new BlockBuilder();
const w = new SeriesWriter(b, [], () => {
  if (b.rows >= 10_000) b.reset();
});
const opts = { sanitizeMetricName: true, nowMs: Date.now() };
for (const [name, body] of [["JSON", json], ["protobuf", pb]] as const) {
  for (let i = 0; i < 5; i++) parseDatadogV2(body, w, opts);
  w.resetCounters();
  const rounds = 20;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    parseDatadogV2(body, w, opts);
    b.reset();
  }
  const sec = (performance.now() - t0) / 1000;
  console.log(
    `datadog v2 parse (${name}): ${((body.length * rounds) / sec / 1e6).toFixed(1)} MB/s, ` +
      `${(w.rows / sec / 1e6).toFixed(2)} M samples/s (${(body.length / 1e6).toFixed(1)} MB body, ${
        w.rows / rounds
      } samples per body)`,
  );
}
