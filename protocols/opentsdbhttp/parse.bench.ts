import { ContentKind } from "../_shared/protocol.ts";
/**
 * Throughput of parseOpenTSDBHTTP on a realistic /api/put body: an array of
 * 20k data points with two or three tags each.
 * Run: bun protocols/opentsdbhttp/parse.bench.ts
 */
import type { ParseContext } from "../_shared/protocol.ts";
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parseOpenTSDBHTTP } from "./parse.ts";

const POINTS = 20_000;
const T = 1_700_000_000;
const items: string[] = [];
for (let i = 0; i < POINTS; i++) {
  items.push(
    `{"metric":"sys.cpu.${i % 8 === 0 ? "system" : "user"}","timestamp":${T + (i % 60)},"value":${(i % 1000) / 10},` +
      `"tags":{"host":"web${i % 50}","cpu":"${i % 16}"${i % 2 ? ',"dc":"ams"' : ""}}}`,
  );
}
const body = new TextEncoder().encode(`[${items.join(",")}]`);
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

for (let i = 0; i < 5; i++) parseOpenTSDBHTTP(body, ctx, { trimTimestampMs: 1 }); // warm-up
const runs = 20;
const t0 = performance.now();
for (let i = 0; i < runs; i++) {
  parseOpenTSDBHTTP(body, ctx, { trimTimestampMs: 1 });
  out.reset();
}
const s = (performance.now() - t0) / 1000;
console.log(
  `opentsdb http parse: ${((body.length * runs) / s / 1e6).toFixed(1)} MB/s, ${
    ((POINTS * runs) / s / 1e6).toFixed(2)
  } M samples/s`,
);
