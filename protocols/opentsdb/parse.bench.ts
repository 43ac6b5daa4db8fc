import { ContentKind } from "../_shared/protocol.ts";
/**
 * Throughput of parseOpenTSDB on a realistic block: 100k tcollector-style
 * `put` lines with two or three tags.
 * Run: bun protocols/opentsdb/parse.bench.ts
 */
import type { ParseContext } from "../_shared/protocol.ts";
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parseOpenTSDB } from "./parse.ts";

const LINES = 100_000;
const T = 1_700_000_000;
let text = "";
for (let i = 0; i < LINES; i++) {
  text += `put sys.cpu.${i % 8 === 0 ? "system" : "user"} ${T + (i % 60)} ${(i % 1000) / 10} host=web${i % 50} cpu=${
    i % 16
  }${i % 2 ? " dc=ams" : ""}\n`;
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

for (let i = 0; i < 5; i++) parseOpenTSDB(body, ctx, { trimTimestampMs: 1000 }); // warm-up
const runs = 20;
const t0 = performance.now();
for (let i = 0; i < runs; i++) {
  parseOpenTSDB(body, ctx, { trimTimestampMs: 1000 });
  out.reset();
}
const s = (performance.now() - t0) / 1000;
console.log(
  `opentsdb telnet parse: ${((body.length * runs) / s / 1e6).toFixed(1)} MB/s, ${
    ((LINES * runs) / s / 1e6).toFixed(2)
  } M samples/s`,
);
