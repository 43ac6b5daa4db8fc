/**
 * Throughput of parseCsv() on quote-style market data (label, RFC3339 time,
 * two metrics, a quoted label). Run: `bun protocols/csvimport/parse.bench.ts`.
 */
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parseColumnDescriptors } from "./column_descriptor.ts";
import { parseCsv } from "./parse.ts";

const FORMATS = {
  rfc3339: "1:label:symbol,2:time:rfc3339,3:metric:bid,4:metric:ask,5:label:venue",
  unix_ms: "1:label:symbol,2:time:unix_ms,3:metric:bid,4:metric:ask,5:label:venue",
};
const SYMBOLS = ["AUDCAD", "EURUSD", "GBPUSD", "USDJPY", "USDCHF", "NZDUSD"];

for (const [name, format] of Object.entries(FORMATS)) {
  let text = "";
  for (let i = 0; text.length < 4 << 20; i++) {
    const t = 1683356889000 + i * 100;
    const time = name === "rfc3339" ? new Date(t).toISOString() : String(t);
    text += `${SYMBOLS[i % SYMBOLS.length]},${time},${(1 + (i % 1000) / 7919).toFixed(5)},${
      (1.0002 + (i % 1000) / 7919).toFixed(5)
    },"venue ""${i % 4}"""\n`;
  }
  const body = new TextEncoder().encode(text);
  const b = new BlockBuilder();
  const w = new SeriesWriter(b, [], () => {
    if (b.rows >= 10_000) b.reset();
  });
  const opts = {
    columns: parseColumnDescriptors(format),
    nowMs: Date.now(),
    trimTimestampMs: 1,
    invalidLine: () => {},
  };
  for (let i = 0; i < 5; i++) parseCsv(body, w, opts);
  const rounds = 20;
  let samples = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    samples += parseCsv(body, w, opts);
    b.reset();
  }
  const sec = (performance.now() - t0) / 1000;
  console.log(
    `csvimport ${name}: ${((body.length * rounds) / sec / 1e6).toFixed(1)} MB/s, ${
      (samples / sec / 1e6).toFixed(2)
    } M samples/s ` +
      `(${(body.length / 1e6).toFixed(1)} MB body, ${samples / rounds} samples per body)`,
  );
}
