import { ContentKind } from "../_shared/protocol.ts";
/**
 * Throughput of parseGraphite on a realistic block: 100k lines, a third with
 * tags, the rest plain dotted paths with timestamps.
 * Run: bun protocols/graphite/parse.bench.ts
 */
import type { ParseContext } from "../_shared/protocol.ts";
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parseGraphite } from "./parse.ts";

const LINES = 100_000;
const T = 1_700_000_000;
let text = "";
for (let i = 0; i < LINES; i++) {
  const host = `web${i % 50}`;
  text += i % 3 === 0
    ? `app.requests.latency;host=${host};dc=ams;env=prod ${(i % 997) / 10} ${T + (i % 60)}\n`
    : `servers.${host}.cpu.${i % 8}.user ${i % 100}.25 ${T + (i % 60)}\n`;
}
const body = new TextEncoder().encode(text);
const out = new BlockBuilder();
const w = new SeriesWriter(out, [], () => {
  if (out.byteLength > 1 << 20) out.reset();
});
const ctx: ParseContext = {
  params: new URLSearchParams(),
  contentType: ContentKind.Other,
  config: undefined as never,
  nowMs: Date.now(),
  w,
  invalidLine: () => undefined,
};
const opts = { trimTimestampMs: 1000, sanitizeMetricName: false };

for (let i = 0; i < 5; i++) parseGraphite(body, ctx, opts); // warm-up
const runs = 20;
const t0 = performance.now();
for (let i = 0; i < runs; i++) {
  w.resetCounters();
  parseGraphite(body, ctx, opts);
  out.reset();
}
const s = (performance.now() - t0) / 1000;
console.log(
  `graphite parse: ${((body.length * runs) / s / 1e6).toFixed(1)} MB/s, ${
    ((LINES * runs) / s / 1e6).toFixed(2)
  } M samples/s`,
);
