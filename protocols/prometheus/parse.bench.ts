/**
 * Throughput of parsePromText() on a node-exporter-like exposition (labels,
 * HELP/TYPE lines, floats, some timestamps), and the same with the block
 * encoding excluded to show the parser's share.
 * Run: `bun protocols/prometheus/parse.bench.ts`.
 */
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parsePromText } from "./parse.ts";
import { REALISTIC } from "./testdata.ts";

// ~4 MiB: the realistic exposition for many instances, half with timestamps.
let text = "";
for (let h = 0; text.length < 4 << 20; h++) {
  const inst = REALISTIC.replaceAll("{", `{instance="host-${h % 500}:9100",job="node",`).replaceAll(
    "{instance",
    "{instance",
  );
  text += h % 2 === 0 ? inst : inst.replace(/^([^#\n].*)$/gm, "$1 1700000000123");
}
const body = new TextEncoder().encode(text);

function bench(name: string, w: SeriesWriter, flush: () => void): void {
  const opts = { defaultTimestampMs: Date.now(), invalidLine: () => {} };
  for (let i = 0; i < 5; i++) parsePromText(body, w, opts);
  const rounds = 20;
  let samples = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    samples += parsePromText(body, w, opts);
    flush();
  }
  const sec = (performance.now() - t0) / 1000;
  console.log(
    `prometheus ${name}: ${((body.length * rounds) / sec / 1e6).toFixed(1)} MB/s, ${
      (samples / sec / 1e6).toFixed(2)
    } M samples/s ` +
      `(${(body.length / 1e6).toFixed(1)} MB body, ${samples / rounds} samples per body)`,
  );
}

const b = new BlockBuilder();
const w = new SeriesWriter(b, [], () => {
  if (b.rows >= 10_000) b.reset();
});
bench("parse+encode", w, () => b.reset());

/** A writer stand-in that drops everything, to time the scanner alone. */
const nullWriter = { begin() {}, label() {}, sample() {}, end() {} } as unknown as SeriesWriter;
bench("parse only", nullWriter, () => {});
