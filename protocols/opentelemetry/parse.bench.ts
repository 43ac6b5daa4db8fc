/**
 * Throughput of parseOpenTelemetry() on a collector-like request (resource
 * and point attributes; gauges, sums, histograms, exponential histograms,
 * summaries). Run: `bun protocols/opentelemetry/parse.bench.ts`.
 */
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parseOpenTelemetry } from "./parse.ts";
import { collectorRequest, encodeRequest } from "./testdata.ts";

const body = encodeRequest(collectorRequest(6_000));
const b = new BlockBuilder();
const w = new SeriesWriter(b, [], () => {
  if (b.rows >= 10_000) b.reset();
});
for (const naming of [false, true]) {
  const opts = { usePrometheusNaming: naming };
  for (let i = 0; i < 5; i++) parseOpenTelemetry(body, w, opts);
  w.resetCounters();
  const rounds = 20;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    parseOpenTelemetry(body, w, opts);
    b.reset();
  }
  const sec = (performance.now() - t0) / 1000;
  console.log(
    `opentelemetry parse (usePrometheusNaming=${naming}): ${((body.length * rounds) / sec / 1e6).toFixed(1)} MB/s, ` +
      `${(w.rows / sec / 1e6).toFixed(2)} M samples/s (${(body.length / 1e6).toFixed(1)} MB body, ${
        w.rows / rounds
      } samples per body)`,
  );
}
