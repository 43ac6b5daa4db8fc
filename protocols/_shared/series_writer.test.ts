import { describe, expect, test } from "bun:test";
import { decodeWriteRequest } from "../promremotewrite/decode.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { HASH_SEED, hashBytes } from "./label_cache.ts";
import { type LabelPair, SeriesWriter } from "./series_writer.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Writes `keys` (label sets "a=1,b=2" keyed by their own text) through the cached path, twice each. */
function run(
  keys: string[],
  opts: { global?: LabelPair[]; extra?: LabelPair[]; context?: string } = {},
): { out: string[]; w: SeriesWriter } {
  const b = new BlockBuilder();
  const w = new SeriesWriter(b, opts.global ?? [], () => {});
  w.setExtraLabels(opts.extra ?? []);
  w.setContext(opts.context ?? "");
  for (let round = 0; round < 2; round++) {
    for (const k of keys) {
      const src = enc(k);
      const h = hashBytes(src, 0, src.length, HASH_SEED);
      let id = w.find(h, src, 0, src.length);
      if (id < 0) {
        w.begin();
        for (const kv of k.split(",").filter((x) => x !== "")) {
          const [n, v] = kv.split("=");
          w.label(n!, v ?? "");
        }
        id = w.store(h, src, 0, src.length);
      }
      w.writeSample(id, round, 1000 + round);
    }
  }
  const out = decodeWriteRequest(b.finish()).map((s) =>
    `${s.labels.map(([n, v]) => `${n}=${v}`).join(",")} ${s.samples[0]!.value}@${s.samples[0]!.timestamp}`
  );
  return { out, w };
}

describe("SeriesWriter cached path", () => {
  test("hits write the same labels as the string path", () => {
    const { out, w } = run(["__name__=m,a=1", "__name__=n"]);
    expect(out).toEqual(["__name__=m,a=1 0@1000", "__name__=n 0@1000", "__name__=m,a=1 1@1001", "__name__=n 1@1001"]);
    expect(w.cache.hits).toBe(2);
    expect(w.rows).toBe(4);
  });

  test("extra labels and -remoteWrite.label rules are part of the cached result", () => {
    const { out } = run(["__name__=m,a=1,__x=y,e="], { extra: [["x", "1"]], global: [["a", "g"]] });
    expect(out).toEqual(["__name__=m,a=g,x=1 0@1000", "__name__=m,a=g,x=1 1@1001"]);
  });

  test("a series the rules leave without labels is dropped and counted, also on a hit", () => {
    const { out, w } = run(["__x=1"], { global: [["y", ""]] });
    expect(out).toEqual([]);
    expect(w.droppedSeries).toBe(2);
  });

  test("the salt keeps requests with different extra labels or contexts apart", () => {
    const b = new BlockBuilder();
    const w = new SeriesWriter(b, [], () => {});
    const src = enc("k");
    const h = hashBytes(src, 0, 1, HASH_SEED);
    const write = (extra: LabelPair[], context: string) => {
      w.setExtraLabels(extra);
      w.setContext(context);
      let id = w.find(h, src, 0, 1);
      if (id < 0) {
        w.begin();
        w.label("__name__", "m");
        id = w.store(h, src, 0, 1);
      }
      w.writeSample(id, 1, 1);
    };
    write([], "");
    write([["e", "1"]], "");
    write([], "db=x");
    write([], "");
    expect(decodeWriteRequest(b.finish()).map((s) => s.labels.map(([n, v]) => `${n}=${v}`).join(","))).toEqual([
      "__name__=m",
      "__name__=m,e=1",
      "__name__=m",
      "__name__=m",
    ]);
    expect(w.cache.hits).toBe(1);
  });
});
