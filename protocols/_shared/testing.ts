/**
 * Helpers for the protocol tests: writers and parse contexts over a fresh
 * BlockBuilder, what they wrote read back as text, and a seeded random
 * generator. Test-only: nothing outside `*.test.ts` imports it.
 *
 * @module
 */
import { type DecodedSeries, decodeWriteRequest } from "../promremotewrite/decode.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { ContentKind, type ParseContext } from "./protocol.ts";
import { SeriesWriter } from "./series_writer.ts";

/** A SeriesWriter into a fresh block that never flushes, and the reasons passed to `invalidLine`. */
export interface TestWriter {
  readonly block: BlockBuilder;
  readonly w: SeriesWriter;
  readonly invalid: string[];
  readonly invalidLine: (reason: string) => void;
  /** Decodes what was written so far. */
  decoded(): DecodedSeries[];
}

export function testWriter(): TestWriter {
  const block = new BlockBuilder();
  const invalid: string[] = [];
  return {
    block,
    w: new SeriesWriter(block, [], () => {}),
    invalid,
    invalidLine: (reason) => void invalid.push(reason),
    decoded: () => decodeWriteRequest(block.finish()),
  };
}

/** Labels as `k=v,k=v`. */
export function labelText(labels: readonly (readonly [string, string])[]): string {
  return labels.map(([k, v]) => `${k}=${v}`).join(",");
}

/** Each series as [`k=v,…`, [[timestamp, value], …]]. */
export function seriesPairs(series: DecodedSeries[]): [labels: string, samples: [number, number][]][] {
  return series.map((s) => [labelText(s.labels), s.samples.map((x) => [x.timestamp, x.value] as [number, number])]);
}

/** A parse context for the line protocols (Graphite, OpenTSDB telnet and HTTP) at `nowMs`, counting invalid lines. */
export interface TestParse {
  readonly ctx: ParseContext;
  readonly block: BlockBuilder;
  /** Lines passed to ctx.invalidLine() so far. */
  invalid: number;
}

/** A context with no query args and no config, at `nowMs`. */
export function testContext(nowMs: number): TestParse {
  const block = new BlockBuilder();
  const t: TestParse = {
    block,
    invalid: 0,
    ctx: {
      params: new URLSearchParams(),
      contentType: ContentKind.Other,
      config: undefined as never,
      nowMs,
      w: new SeriesWriter(block, [], () => undefined),
      invalidLine: () => void t.invalid++,
    },
  };
  return t;
}

/** The series written so far, each as `name="value",… value@ts value@ts`, and the invalid-line count. */
export function written(t: TestParse): { series: string[]; invalid: number } {
  const series = decodeWriteRequest(t.block.finish()).map((s) => {
    const labels = s.labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",");
    return `${labels} ${s.samples.map((x) => `${x.value}@${x.timestamp}`).join(" ")}`;
  });
  return { series, invalid: t.invalid };
}

/** mulberry32: a deterministic generator of numbers in [0, 1). */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
