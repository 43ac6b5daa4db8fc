import { describe, expect, test } from "bun:test";
import { labelText, testWriter } from "../_shared/testing.ts";
import { writeRequestToJsonLines } from "./encode.ts";
import { parseVmImport } from "./parse.ts";
import { COMMON, LENIENT, SEEDS } from "./testdata.ts";

function fmt(v: number): string {
  return Number.isNaN(v) ? "NaN" : String(v);
}

/** Renders each series as `k=v,… values@ts;…` in write order, plus the invalid-line reasons. */
function run(body: string, maxLineLen = 1 << 20): { series: string[]; invalid: string[]; block: Uint8Array } {
  const t = testWriter();
  parseVmImport(new TextEncoder().encode(body), t.w, { maxLineLen, invalidLine: t.invalidLine });
  const block = t.block.finish().slice();
  const series = t.decoded().map((s) =>
    `${labelText(s.labels)} ${s.samples.map((x) => `${fmt(x.value)}@${x.timestamp}`).join(";")}`
  );
  return { series, invalid: t.invalid, block };
}

const T = 1700000000000;
const L = (metric: string, values: string, ts: string) =>
  `{"metric":${metric},"values":[${values}],"timestamps":[${ts}]}`;

describe("parseVmImport", () => {
  test("valid lines", () => {
    const f = (body: string, want: string[]) => {
      const r = run(body);
      expect(r.invalid).toEqual([]);
      expect(r.series).toEqual(want);
    };
    f("", []);
    f("\n\r\n\n", []);
    f(L('{"__name__":"m","k":"v"}', "1,2.5", `${T},${T + 1}`), [`__name__=m,k=v 1@${T};2.5@${T + 1}`]);
    f(L('{"__name__":"m"}', "NaN,nan,-Inf,inf,1e400,-0,5.e1", "1,2,3,4,5,6,-7"), [
      "__name__=m NaN@1;NaN@2;-Infinity@3;Infinity@4;Infinity@5;0@6;50@-7",
    ]);
    // HEAD VictoriaMetrics leniency: null and special strings.
    f(L('{"__name__":"m"}', 'null,"NaN","-Inf","infinity","Null"', "1,2,3,4,5"), [
      "__name__=m NaN@1;NaN@2;-Infinity@3;Infinity@4;NaN@5",
    ]);
    f(L('{"__name__":"m","u":"\\u00e9\\ud83d\\ude00","e":"\\"\\\\\\/\\b\\f\\n\\r\\t","x":"\\x\\u12"}', "1", "1"), [
      `__name__=m,u=é😀,e="\\/\b\f\n\r\t,x=\\x\\u12 1@1`,
    ]);
    f(L('{"lone":"\\ud800x","bad":"\\ud800\\u0041"}', "1", "1"), ["lone=\\ud800x,bad=\ufffd 1@1"]);
    f(L('{"__name__":"m","a":5,"b":null,"c":{"x":[1]},"a\\"b":"c"}', "1", "1"), ['__name__=m,a=,b=,c=,a"b=c 1@1']);
    f(`  {"metric" : {"__name__":"m"} , "values" : [ 1 ] , "timestamps" : [ 1 ] }  \r\n`, ["__name__=m 1@1"]);
    f(`{"values":[2],"x":[{"a":[true,false,null,"s",-1e5]}],"timestamps":[01],"metric":{"__name__":"m"}}`, [
      "__name__=m 2@1",
    ]);
    f(`{"metric":{"__name__":"m"},"values":[3],"timestamps":[1],"values":[4,5],"metric":5}`, ["__name__=m 3@1"]);
    f(`{"m\\u0065tric":{"__name__":"m"},"values":[3],"timestamps":[1]}`, ["__name__=m 3@1"]);
    f(L('{"a":"b"}', "1", "-9223372036854775808"), ["a=b 1@-9223372036854776000"]);
  });

  test("invalid lines are skipped, the rest kept", () => {
    const f = (line: string, reason: string) => {
      const r = run(`${L('{"a":"1"}', "1", "1")}\n${line}\n${L('{"a":"2"}', "2", "2")}`);
      expect(r.invalid).toEqual([reason]);
      expect(r.series).toEqual(["a=1 1@1", "a=2 2@2"]);
    };
    f("   ", "cannot parse json line: cannot parse empty string");
    f("{bad", `cannot parse json line: cannot find opening '"' for object key`);
    f('{"a":1', "cannot parse json line: unexpected end of object");
    f('{"a":1} x', 'cannot parse json line: unexpected tail: "x"');
    f('{"a":[1,]}', 'cannot parse json line: cannot parse number: unexpected char: "]"');
    f('{"a":tru}', "cannot parse json line: unexpected value found");
    f('{"a":"x}', `cannot parse json line: missing closing '"'`);
    f(L('{"a":"b"}', "infinity", "1"), "cannot parse json line: missing ',' after array value");
    f(
      "[" + "[".repeat(400) + "]".repeat(401),
      "cannot parse json line: too big depth for the nested JSON; it exceeds 300",
    );
    f("[]", "missing `metric` object");
    f(L('"m"', "1", "1"), "missing `metric` object");
    f(L("{}", "1", "1"), "missing tags");
    f(L('{"a":"b"}', "", ""), "missing `values` array");
    f('{"metric":{"a":"b"},"timestamps":[1]}', "missing `values` array");
    f(L('{"a":"b"}', "1", ""), "missing `timestamps` array");
    f(L('{"a":"b"}', "1,2", "1"), "`timestamps` array size must match `values` array size; got 1; want 2");
    f(L('{"a":"b"}', "1,+1", "1,2"), "cannot unmarshal value at position 1");
    f(L('{"a":"b"}', ".5", "1"), "cannot unmarshal value at position 0");
    f(L('{"a":"b"}', "1.", "1"), "cannot unmarshal value at position 0");
    f(L('{"a":"b"}', "1-2", "1"), "cannot unmarshal value at position 0");
    f(L('{"a":"b"}', "true", "1"), "cannot unmarshal value at position 0");
    f(L('{"a":"b"}', '"1"', "1"), "cannot unmarshal value at position 0");
    f(L('{"a":"b"}', "1", "1.5"), "cannot unmarshal timestamp at position 0");
    f(L('{"a":"b"}', "1", "1e3"), "cannot unmarshal timestamp at position 0");
    f(L('{"a":"b"}', "1", "+1"), "cannot unmarshal timestamp at position 0");
    f(L('{"a":"b"}', "1", '"1"'), "cannot unmarshal timestamp at position 0");
    f(L('{"a":"b"}', "1", "9223372036854775808"), "cannot unmarshal timestamp at position 0");
  });

  test("-import.maxLineLen", () => {
    const long = L('{"a":"b"}', "1", "1");
    const r = run(`${long}\n${L('{"a":"c"}', "1", "12")}`, long.length);
    expect(r.series).toEqual(["a=b 1@1"]);
    expect(r.invalid).toEqual([`the line length exceeds -import.maxLineLen=${long.length}`]);
  });

  test("round trip with encode.ts", () => {
    const first = run(COMMON.join("\n") + "\n" + LENIENT.join("\n"));
    const again = run(writeRequestToJsonLines(first.block));
    expect(again.invalid).toEqual([]);
    expect(again.series).toEqual(first.series);
  });

  test("seeds parse without throwing", () => {
    for (const s of SEEDS) run(s);
  });
});
