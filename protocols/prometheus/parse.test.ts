import { describe, expect, test } from "bun:test";
import { labelText, testWriter } from "../_shared/testing.ts";
import type { ParseContext } from "../_shared/protocol.ts";
import { ContentKind, ParseError } from "../_shared/protocol.ts";
import { SeriesWriter } from "../_shared/series_writer.ts";
import { decodeWriteRequest } from "../promremotewrite/decode.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { parsePromText, type PromTextOptions } from "./parse.ts";
import { prometheusProtocol } from "./stream.ts";
import { SEEDS } from "./testdata.ts";

const NOW = 1_700_000_123_456;

function fmt(v: number): string {
  return Number.isNaN(v) ? "NaN" : String(v);
}

/** Renders each series as `name{k=v,…} value@ts` in write order, plus the invalid-line reasons. */
function run(body: string, opts: Partial<PromTextOptions> = {}): { series: string[]; invalid: string[] } {
  const t = testWriter();
  parsePromText(new TextEncoder().encode(body), t.w, { defaultTimestampMs: NOW, invalidLine: t.invalidLine, ...opts });
  const series = t.decoded().map((s) => {
    const [first, ...rest] = s.labels;
    return s.samples.map((x) => `${first?.[1]}{${labelText(rest)}} ${fmt(x.value)}@${x.timestamp}`).join(";");
  });
  return { series, invalid: t.invalid };
}

describe("parsePromText", () => {
  test("valid lines", () => {
    const f = (body: string, want: string[]) => {
      const r = run(body);
      expect(r.invalid).toEqual([]);
      expect(r.series).toEqual(want);
    };
    f("", []);
    f("\n\r\n  \t\n# HELP m x\n# TYPE m counter\n#x\n# EOF\n", []);
    f("m 1", [`m{} 1@${NOW}`]);
    f('m{a="b",c="d"} 2.5 1700000000', ["m{a=b,c=d} 2.5@1700000000000"]);
    f('m{a="b"} 2 1700000000123\r\nn 3\r\n', ["m{a=b} 2@1700000000123", `n{} 3@${NOW}`]);
    // Seconds vs ms by magnitude; floats truncated toward zero; 0 → default.
    f("a 1 2147483647\nb 1 2147483648\nc 1 -2147483648\nd 1 1700000000.5\ne 1 1.7e12\nf 1 0\ng 1 -0.0001", [
      "a{} 1@2147483647000",
      "b{} 1@2147483648",
      "c{} 1@-2147483648000",
      "d{} 1@1700000000500",
      "e{} 1@1700000000000",
      `f{} 1@${NOW}`,
      `g{} 1@${NOW}`,
    ]);
    f("a NaN\nb +Inf\nc -inf\nd Infinity\ne 1e3\nf -0\ng 5.e1\nh 1.5e-7", [
      `a{} NaN@${NOW}`,
      `b{} Infinity@${NOW}`,
      `c{} -Infinity@${NOW}`,
      `d{} Infinity@${NOW}`,
      `e{} 1000@${NOW}`,
      `f{} 0@${NOW}`,
      `g{} 50@${NOW}`,
      `h{} 1.5e-7@${NOW}`,
    ]);
    // Escapes: \\ \" \n; anything else kept verbatim.
    f('m{a="q\\"x",b="b\\\\s",c="n\\nl",d="t\\tx",e="e\\\\"} 1', [`m{a=q"x,b=b\\s,c=n\nl,d=t\\tx,e=e\\} 1@${NOW}`]);
    f('m{a="}{,=\\""} 1', [`m{a=}{,="} 1@${NOW}`]);
    // Blanks, trailing comma, empty label name dropped, no space after }.
    f("  \tm\t 1 \t 1700000000 \t", ["m{} 1@1700000000000"]);
    f('m{ a = "b" , c="d", } 1', [`m{a=b,c=d} 1@${NOW}`]);
    f('m{="x",b="y"}2', [`m{b=y} 2@${NOW}`]);
    f('m {a="b"} 1', [`m{a=b} 1@${NOW}`]);
    f("m{} 1", [`m{} 1@${NOW}`]);
    f('m:sub_total{a="1",a="2"} 1', [`m:sub_total{a=1,a=2} 1@${NOW}`]);
    f('ключ{é="ü"} 1', [`ключ{é=ü} 1@${NOW}`]);
    // Comments and exemplars after the value are dropped.
    f('m{le="1"} 5 1700000000 # {trace_id="x"} 0.5 1700000000', ["m{le=1} 5@1700000000000"]);
    f("m 4 # comment", [`m{} 4@${NOW}`]);
    // vmagent quirk: a `{` anywhere makes everything before it the name.
    f('m 1 # {t="1"} 2', [`m 1 #{t=1} 2@${NOW}`]);
  });

  test("invalid lines are skipped, the rest kept", () => {
    const f = (line: string, reason: string) => {
      const r = run(`before 1\n${line}\nafter 2`);
      expect(r.invalid).toEqual([reason]);
      expect(r.series).toEqual([`before{} 1@${NOW}`, `after{} 2@${NOW}`]);
    };
    f("m", "missing value");
    f('m{a="b"}', "value cannot be empty");
    f('m{a="b"} # x', "value cannot be empty");
    f('{a="b"} 1', "metric cannot be empty");
    f("m +1", 'cannot parse value "+1"');
    f("m .5", 'cannot parse value ".5"');
    f("m 1.", 'cannot parse value "1."');
    f("m 0x10", 'cannot parse value "0x10"');
    f("m 1_000", 'cannot parse value "1_000"');
    f("m 1e", 'cannot parse value "1e"');
    f("m 1 2 3", 'cannot parse timestamp "2 3"');
    f("m 1 x", 'cannot parse timestamp "x"');
    f("m 1 NaN", "timestamp out of range: NaN");
    f("m 1 1e300", "timestamp out of range: 1e300");
    f("m{a=b} 1", 'cannot unmarshal tags: expecting quoted value for tag "a"');
    f('m{a="b} 1', 'cannot unmarshal tags: missing closing quote for tag value "\\"b} 1"');
    f('m{a="b" c="d"} 1', "cannot unmarshal tags: missing comma after tag a");
    f("m{a 1", 'cannot unmarshal tags: missing value for tag "a 1"');
  });

  test("options", () => {
    expect(run("m 1 1700000000", { honorTimestamps: false }).series).toEqual([`m{} 1@${NOW}`]);
    expect(run("m 1", { defaultTimestampMs: 5 }).series).toEqual(["m{} 1@5"]);
  });

  test("stream: timestamp arg", () => {
    const f = (query: string, want: number[] | string) => {
      const b = new BlockBuilder();
      const w = new SeriesWriter(b, [], () => {});
      const ctx: ParseContext = {
        params: new URLSearchParams(query),
        config: {} as ParseContext["config"],
        contentType: ContentKind.Other,
        nowMs: NOW,
        w,
        invalidLine: () => {},
      };
      try {
        prometheusProtocol.parse(new TextEncoder().encode("m 1\nn 2 1700000000"), ctx);
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
        expect((e as Error).message).toBe(want as string);
        return;
      }
      expect(decodeWriteRequest(b.finish()).map((s) => s.samples[0]!.timestamp)).toEqual(want as number[]);
    };
    f("", [NOW, 1700000000000]);
    f("timestamp=1700000000", [1700000000, 1700000000000]);
    f("timestamp=0", [NOW, 1700000000000]);
    f("timestamp=abc", "Cannot parse `timestamp=abc` query arg: invalid syntax or out of range");
    f("timestamp=1.5", "Cannot parse `timestamp=1.5` query arg: invalid syntax or out of range");
  });

  test("seeds parse without throwing", () => {
    for (const s of SEEDS) run(s);
  });
});
