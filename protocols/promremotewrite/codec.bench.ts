/**
 * Throughput of the remote-write codec on a realistic request: 10k series × 10 labels × 1 sample.
 * Run: bun protocols/promremotewrite/codec.bench.ts
 */
import protobuf from "protobufjs";
// @ts-expect-error snappyjs ships no type declarations
import snappyjs from "snappyjs";
import { snappyCompress, snappyDecompress } from "../_shared/snappy.ts";
import { type RelayOptions, relayWriteRequest } from "./decode.ts";
import { BlockBuilder } from "./encode.ts";

const sj = snappyjs as { compress(a: Uint8Array): Uint8Array; uncompress(a: Uint8Array): Uint8Array };
const WriteRequest = protobuf.loadSync(new URL("remote.proto", import.meta.url).pathname).lookupType(
  "prometheus.WriteRequest",
);

const SERIES = 10_000;
const labelSets: [string, string][][] = [];
for (let i = 0; i < SERIES; i++) {
  labelSets.push([
    ["__name__", `node_network_receive_bytes_total_${i % 50}`],
    ["job", "node-exporter"],
    ["instance", `10.1.${(i >> 8) & 255}.${i & 255}:9100`],
    ["device", `eth${i % 4}`],
    ["namespace", "monitoring"],
    ["pod", `node-exporter-${(i * 7919) % 100000}`],
    ["container", "node-exporter"],
    ["cluster", "prod-eu-west-1"],
    ["region", "eu-west-1"],
    ["env", "production"],
  ]);
}
const builder = new BlockBuilder();
function buildFromStrings(): Uint8Array {
  builder.reset();
  for (let i = 0; i < SERIES; i++) {
    builder.beginSeries();
    for (const [n, v] of labelSets[i]!) builder.addLabel(n, v);
    builder.addSample(i * 1.5, 1_700_000_000_000 + i);
    builder.endSeries();
  }
  return builder.finish();
}
const raw = buildFromStrings();
const compressed = snappyCompress(raw);

function bench(name: string, bytes: number, fn: () => unknown): void {
  for (let i = 0; i < 5; i++) fn();
  let iters = 0;
  const start = performance.now();
  let now = start;
  while (now - start < 1500) {
    fn();
    iters++;
    now = performance.now();
  }
  const sec = (now - start) / 1000 / iters;
  const mbs = bytes / sec / 1e6;
  const sps = SERIES / sec / 1e6;
  console.log(
    `${name.padEnd(34)} ${(sec * 1000).toFixed(2).padStart(8)} ms  ${mbs.toFixed(0).padStart(6)} MB/s  ${
      sps.toFixed(2).padStart(6)
    } M samples/s`,
  );
}

console.log(`request: ${SERIES} series, ${raw.length} bytes raw, ${compressed.length} bytes snappy`);
const out = new BlockBuilder();
const fast: RelayOptions = { setLabels: [], dropEmptyAndInternal: false };
const rewrite: RelayOptions = { setLabels: [["dc", "eu1"], ["env", "prod"]], dropEmptyAndInternal: true };
const flushEvery = () => {
  if (out.rows >= 10_000 || out.byteLength >= 8 << 20) out.reset();
};

bench("snappy decompress (ours)", raw.length, () => snappyDecompress(compressed, 64 << 20));
bench("snappy decompress (snappyjs)", raw.length, () => sj.uncompress(compressed));
bench("snappy compress (ours)", raw.length, () => snappyCompress(raw));
bench("snappy compress (snappyjs)", raw.length, () => sj.compress(raw));
bench("relay fast path", raw.length, () => {
  out.reset();
  relayWriteRequest(raw, out, fast);
});
bench("relay fast path + onSeries", raw.length, () => {
  out.reset();
  relayWriteRequest(raw, out, fast, flushEvery);
});
bench("relay rewrite path (2 labels+drop)", raw.length, () => {
  out.reset();
  relayWriteRequest(raw, out, rewrite);
});
bench("build from strings (addLabel)", raw.length, buildFromStrings);
bench("protobufjs decode", raw.length, () => WriteRequest.decode(raw));
bench("decompress+relay+finish+compress", raw.length, () => {
  out.reset();
  relayWriteRequest(snappyDecompress(compressed, 64 << 20), out, fast);
  return snappyCompress(out.finish());
});
