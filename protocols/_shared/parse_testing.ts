/**
 * For parser tests of the line protocols (Graphite, OpenTSDB telnet and
 * HTTP): a ParseContext writing into a fresh BlockBuilder and counting
 * invalid lines, and the written series as text.
 *
 * @module
 */
import { decodeWriteRequest } from "../promremotewrite/decode.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { ContentKind, type ParseContext } from "./protocol.ts";
import { SeriesWriter } from "./series_writer.ts";

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
