import { describe, expect, test } from "bun:test";
import { seriesPairs, testWriter } from "../_shared/testing.ts";
import { ParseError } from "../_shared/protocol.ts";
import { decodeUtf8PerByte } from "./go_json.ts";
import { parseDatadogV1 } from "./parse.ts";
import { sanitizeMetricName } from "./tags.ts";
import { INVALID, QUIRKS, SEEDS } from "./testdata.ts";

const NOW = 1_800_000_000_500;
type Out = [labels: string, samples: [number, number][]][];

function run(body: string | Uint8Array, sanitize = false): Out {
  const t = testWriter();
  parseDatadogV1(typeof body === "string" ? new TextEncoder().encode(body) : body, t.w, {
    sanitizeMetricName: sanitize,
    nowMs: NOW,
  });
  return seriesPairs(t.decoded());
}

describe("parseDatadogV1", () => {
  test("labels, tags and points", () => {
    const f = (body: string, want: Out) => expect(run(body)).toEqual(want);
    f(
      `{"series":[{"metric":"m","host":"h","device":"sda","points":[[1700000000.5,1.5]],"tags":["env:prod","host:h2","bare","a:b:c",":x","y:"]}]}`,
      [
        ["__name__=m,host=h,device=sda,env=prod,exported_host=h2,bare=no_label_value,a=b:c,=x,y=", [[
          1700000000500,
          1.5,
        ]]],
      ],
    );
    // empty host/device are not labels; type/interval/unknown keys ignored
    f(`{"series":[{"metric":"m","host":"","device":"","type":"gauge","interval":10,"x":{"y":[1]},"points":[[1,2]]}]}`, [
      ["__name__=m", [[1000, 2]]],
    ]);
    // Go matches keys case-insensitively; extra point elements are dropped, missing ones are 0
    f(`{"SERIES":[{"Metric":"m","POINTS":[[1700000001,3,"x"],[1700000002]]}]}`, [["__name__=m", [[1700000001000, 3], [
      1700000002000,
      0,
    ]]]]);
    // nulls leave zero values; a null series is an empty series
    f(`{"series":[{"metric":null,"points":[null,[1700000003,null]],"tags":[null]},null]}`, [
      ["__name__=,=no_label_value", [[1800000000000, 0], [1700000003000, 0]]],
      ["__name__=", []],
    ]);
    // ts ≤ 0 → now in whole seconds; ts×1000 truncates toward zero
    f(`{"series":[{"metric":"m","points":[[0,1],[-1,2],[1700000003.9999,3]]}]}`, [["__name__=m", [[1800000000000, 1], [
      1800000000000,
      2,
    ], [1700000003999, 3]]]]);
    // out-of-int64 ms become -2^63 as in Go on amd64
    f(`{"series":[{"metric":"m","points":[[1e300,1]]}]}`, [["__name__=m", [[-9223372036854775808, 1]]]]);
    // absent fields are empty (vmagent ≥ v1.85.0; v1.79.5 could leak them from an earlier request)
    f(QUIRKS[1]!, [["__name__=missing.fields", [[1700000016000, 16]]], ["__name__=,only=tags", []]]);
    f(`{"series":[]}`, []);
    f(`null`, []);
    f(`{}`, []);
    f(` \r\n{"series":[{"metric":"ws","points":[[1,1]]}]}\r\n`, [["__name__=ws", [[1000, 1]]]]);
  });

  test("metric-name sanitizing", () => {
    const f = (name: string, want: string) => expect(sanitizeMetricName(name)).toBe(want);
    f("system.cpu.user", "system.cpu.user");
    f("a b-c", "a_b_c");
    f("a__b", "a_b");
    f("a_.b", "a.b");
    f("a._b", "a.b");
    f("a_._b", "a.b");
    f("a._.b", "a..b");
    f("ünï", "_n_");
    f("", "");
    f("_lead", "_lead");
    f("trail_", "trail_");
    expect(run(`{"series":[{"metric":"my-metric name","points":[[1,1]],"tags":["tag-name:v"]}]}`, true)).toEqual([
      ["__name__=my_metric_name,tag-name=v", [[1000, 1]]],
    ]);
  });

  test("invalid bodies throw ParseError", () => {
    for (const body of INVALID) {
      expect(() => run(body)).toThrow(ParseError);
    }
  });

  test("invalid UTF-8 becomes one U+FFFD per byte, as in Go", () => {
    const f = (bytes: number[], want: string) => expect(decodeUtf8PerByte(new Uint8Array(bytes))).toBe(want);
    f([0x61, 0xe2, 0x82, 0x41], "a\ufffd\ufffdA");
    f([0xc0, 0x80], "\ufffd\ufffd");
    f([0xed, 0xa0, 0x80], "\ufffd\ufffd\ufffd");
    f([0xf0, 0x9f, 0x9a, 0x80], "🚀");
    f([0xf4, 0x90, 0x80, 0x80], "\ufffd\ufffd\ufffd\ufffd");
  });

  test("seeds and mutations parse or fail with ParseError only", () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 20000; i++) {
      const src = SEEDS[i % SEEDS.length]!;
      const b = src.slice();
      const n = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < n && b.length > 0; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
      try {
        run(cut);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
    }
  });
});
