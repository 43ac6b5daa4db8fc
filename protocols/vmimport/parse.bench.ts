/**
 * Throughput of parseVmImport() on export-like JSON lines (5 labels, 20
 * samples per line), with and without block encoding, against a
 * JSON.parse-per-line baseline. Run: `bun protocols/vmimport/parse.bench.ts`.
 */
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parseVmImport } from "./parse.ts";

const lines: string[] = [];
let size = 0;
for (let i = 0; size < 4 << 20; i++) {
  const values: number[] = [];
  const ts: number[] = [];
  for (let k = 0; k < 20; k++) {
    values.push(k % 3 === 0 ? k : Math.round(Math.random() * 1e6) / 1000);
    ts.push(1700000000000 + k * 15000);
  }
  const l = JSON.stringify({
    metric: {
      __name__: `http_requests_total`,
      job: "api",
      instance: `host-${i % 300}:8080`,
      method: i % 2 ? "GET" : "POST",
      code: String(200 + (i % 5)),
    },
    values,
    timestamps: ts,
  });
  lines.push(l);
  size += l.length + 1;
}
const text = lines.join("\n") + "\n";
const body = new TextEncoder().encode(text);

function report(name: string, sec: number, rounds: number, samples: number): void {
  console.log(
    `vmimport ${name}: ${((body.length * rounds) / sec / 1e6).toFixed(1)} MB/s, ${
      (samples / sec / 1e6).toFixed(2)
    } M samples/s ` +
      `(${(body.length / 1e6).toFixed(1)} MB body, ${samples / rounds} samples per body)`,
  );
}

function bench(name: string, w: SeriesWriter, flush: () => void): void {
  const opts = { maxLineLen: 100 << 20, invalidLine: () => {} };
  for (let i = 0; i < 5; i++) parseVmImport(body, w, opts);
  const rounds = 20;
  let samples = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    samples += parseVmImport(body, w, opts);
    flush();
  }
  report(name, (performance.now() - t0) / 1000, rounds, samples);
}

const b = new BlockBuilder();
const w = new SeriesWriter(b, [], () => {
  if (b.rows >= 10_000) b.reset();
});
bench("parse+encode", w, () => b.reset());
const nullWriter = { begin() {}, label() {}, sample() {}, end() {} } as unknown as SeriesWriter;
bench("parse only", nullWriter, () => {});

// Baseline: decode + split + JSON.parse per line (no validation beyond JSON).
{
  const dec = new TextDecoder();
  const rounds = 20;
  let samples = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    for (const l of dec.decode(body).split("\n")) {
      if (l === "") continue;
      samples += (JSON.parse(l) as { values: number[] }).values.length;
    }
  }
  report("JSON.parse baseline (parse only)", (performance.now() - t0) / 1000, rounds, samples);
}
