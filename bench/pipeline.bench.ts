/**
 * The push pipeline of one parse worker and the sender, in one thread, on
 * the push benchmark's corpora: parse → block (SeriesWriter/BlockBuilder) →
 * snappy. Prints µs per sample for each stage, so a change to a hot path
 * can be measured without processes. Run:
 * `bun bench/pipeline.bench.ts [influx|graphite|opentsdb|prometheus] [--rounds=N]`.
 *
 * @module
 */
import { parseFlags } from "../config/flags.ts";
import { SeriesWriter } from "../protocols/_shared/series_writer.ts";
import { snappyCompress } from "../protocols/_shared/snappy.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { PARSERS } from "../workers/_parsers.ts";
import { BodyType, ContentKind } from "../protocols/_shared/protocol.ts";
import { buildGraphiteCorpus, buildInfluxCorpus, buildOpenTSDBCorpus, buildPrometheusCorpus } from "./_push_corpus.ts";

const which = Bun.argv.slice(2).find((a) => !a.startsWith("--")) ?? "influx";
const rounds = Number(Bun.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
const parsed = parseFlags([], { env: {}, cpus: 2 });
if (parsed.kind !== "config") throw new Error("flags");
const cfg = parsed.config;

const corpus = which === "influx"
  ? buildInfluxCorpus({ lines: 10_000, hosts: 1000, bodies: 48 })
  : which === "graphite"
  ? buildGraphiteCorpus({ blockLines: 1000, hosts: 1000, blocks: 128 })
  : which === "opentsdb"
  ? buildOpenTSDBCorpus({ blockLines: 1000, hosts: 1000, blocks: 128 })
  : buildPrometheusCorpus({ lines: 10_000, hosts: 1000, bodies: 48, seriesPerHost: 200 });
const type = { influx: BodyType.Influx, graphite: BodyType.Graphite, opentsdb: BodyType.OpenTSDB }[which] ??
  BodyType.PromText;
const parser = PARSERS.get(type)!;

const builder = new BlockBuilder();
const blocks: Uint8Array[] = [];
const keep = Bun.argv.includes("--compress");
const writer = new SeriesWriter(builder, [], () => {
  if (builder.rows >= cfg.remoteWrite.maxRowsPerBlock || builder.byteLength >= cfg.remoteWrite.maxBlockSize) {
    flush();
  }
});
let spare: ArrayBuffer | undefined;
let compressNs = 0;
let rawBytes = 0;
let packedBytes = 0;
function flush(): void {
  if (builder.series === 0) return;
  // The sender hands block buffers back to the worker; so does this loop.
  const b = builder.detach(spare);
  spare = b.buffer as ArrayBuffer;
  rawBytes += b.byteLength;
  if (keep) {
    const t = Bun.nanoseconds();
    packedBytes += snappyCompress(b).byteLength;
    compressNs += Bun.nanoseconds() - t;
  }
  blocks.length = 0;
}
const ctx = {
  params: new URLSearchParams(),
  config: cfg.push,
  contentType: ContentKind.Other,
  nowMs: Date.now(),
  w: writer,
  invalidLine: (r: string) => {
    throw new Error(r);
  },
};
function once(): number {
  let samples = 0;
  for (const p of corpus.payloads) {
    writer.setExtraLabels([]);
    writer.resetCounters();
    parser.parse(p, ctx);
    samples += writer.rows;
    flush();
  }
  return samples;
}
once();
compressNs = 0;
rawBytes = 0;
packedBytes = 0;
const t0 = Bun.nanoseconds();
let samples = 0;
for (let i = 0; i < rounds; i++) samples += once();
const ns = Bun.nanoseconds() - t0;
const parseNs = ns - compressNs;
console.log(
  `${which}: ${samples} samples; parse+block ${(parseNs / samples / 1000).toFixed(3)} µs/sample` +
    (keep
      ? `, snappy ${(compressNs / samples / 1000).toFixed(3)} µs/sample (${
        (rawBytes / compressNs * 1000).toFixed(0)
      } MB/s, ${(rawBytes / samples).toFixed(1)} B/sample raw, ratio ${(rawBytes / packedBytes).toFixed(2)})`
      : ""),
);
