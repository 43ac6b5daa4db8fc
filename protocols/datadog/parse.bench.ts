/**
 * Throughput of parseDatadogV1() on a datadog-agent-like payload (5 tags,
 * host, 2 points per series). Run: `bun protocols/datadog/parse.bench.ts`.
 */
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parseDatadogV1 } from "./parse.ts";
import { agentPayload } from "./testdata.ts";

const body = new TextEncoder().encode(agentPayload(20_000));
const b = new BlockBuilder();
const w = new SeriesWriter(b, [], () => {
  if (b.rows >= 10_000) b.reset();
});
for (const sanitize of [false, true]) {
  const opts = { sanitizeMetricName: sanitize, nowMs: Date.now() };
  for (let i = 0; i < 5; i++) parseDatadogV1(body, w, opts);
  w.resetCounters();
  const rounds = 20;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    parseDatadogV1(body, w, opts);
    b.reset();
  }
  const sec = (performance.now() - t0) / 1000;
  console.log(
    `datadog v1 parse (sanitize=${sanitize}): ${((body.length * rounds) / sec / 1e6).toFixed(1)} MB/s, ` +
      `${(w.rows / sec / 1e6).toFixed(2)} M samples/s (${(body.length / 1e6).toFixed(1)} MB body, ${
        w.rows / rounds
      } samples per body)`,
  );
}
