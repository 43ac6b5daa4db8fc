/**
 * Throughput of parseInflux() on a Telegraf-like payload (escapes, quoted
 * strings, ints, ns timestamps). Run: `bun protocols/influx/parse.bench.ts`.
 */
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { Precision } from "./numbers.ts";
import { type InfluxParseOptions, parseInflux } from "./parse.ts";
import { TELEGRAF } from "./testdata.ts";

const opts: InfluxParseOptions = {
  measurementFieldSeparator: "_",
  skipMeasurement: false,
  skipSingleField: false,
  dbLabel: "db",
  db: "telegraf",
  precision: Precision.Auto,
  maxLineSize: 256 * 1024,
  trimTimestampMs: 1,
};

// ~4 MiB of lines from 200 hosts.
let text = "";
for (let h = 0; text.length < 4 << 20; h++) text += TELEGRAF.replaceAll("telegraf-host", `host-${h % 200}`);
const body = new TextEncoder().encode(text);

const b = new BlockBuilder();
let samples = 0;
const w = new SeriesWriter(b, [], () => {
  // Flush like the worker does, so the builder stays small.
  if (b.rows >= 10_000) b.reset();
});
const ctx = { w, nowMs: Date.now(), invalidLine: () => {} };

for (let i = 0; i < 5; i++) parseInflux(body, opts, ctx);
w.resetCounters();
const rounds = 20;
const t0 = performance.now();
for (let i = 0; i < rounds; i++) {
  parseInflux(body, opts, ctx);
  b.reset();
}
const sec = (performance.now() - t0) / 1000;
samples = w.rows;
console.log(
  `influx parse: ${((body.length * rounds) / sec / 1e6).toFixed(1)} MB/s, ${
    (samples / sec / 1e6).toFixed(2)
  } M samples/s ` +
    `(${(body.length / 1e6).toFixed(1)} MB body, ${samples / rounds} samples per body, ${rounds} rounds)`,
);
