import { expect, test } from "bun:test";
import { testContext, written } from "../_shared/testing.ts";
import { type GraphiteOptions, parseGraphite, sanitizeName } from "./parse.ts";

const NOW_MS = 1_700_000_000_789;
const NOW = 1_700_000_000_000; // the current second in ms

/** Parses `input` and returns series as `labels value@ts` lines plus the invalid-line count. */
function run(input: string | Uint8Array, opts: Partial<GraphiteOptions> = {}): { series: string[]; invalid: number } {
  const t = testContext(NOW_MS);
  const body = typeof input === "string" ? new TextEncoder().encode(input) : input;
  parseGraphite(body, t.ctx, { trimTimestampMs: 1000, sanitizeMetricName: false, ...opts });
  return written(t);
}

test("parseGraphite: lines", () => {
  const f = (input: string, series: string[], invalid = 0) => expect(run(input)).toEqual({ series, invalid });
  f("", []);
  f("\n\r\n\n", []);
  f("foo.bar 123.456 1700000001", ['__name__="foo.bar" 123.456@1700000001000']);
  f("foobar -123.456 789\n", ['__name__="foobar" -123.456@789000']);
  // CRLF and a missing final newline.
  f("a 1 10\r\nb 2 20", ['__name__="a" 1@10000', '__name__="b" 2@20000']);
  // Tabs and runs of blanks as separators; blanks after the timestamp.
  f("foo.baz\t125.456\t1789\n", ['__name__="foo.baz" 125.456@1789000']);
  f("foo.baz \t125  1789 \t\n", ['__name__="foo.baz" 125@1789000']);
  // Missing, 0 and -1 timestamps mean the current second.
  f("aaa 1123", [`__name__="aaa" 1123@${NOW}`]);
  f("aaa 1 0\nbbb 2 -1\nccc 3 -0.9", [`__name__="aaa" 1@${NOW}`, `__name__="bbb" 2@${NOW}`, `__name__="ccc" 3@${NOW}`]);
  // Fractional timestamps are truncated toward zero; negative ones stay negative.
  f("aaa 1123 4294.943", ['__name__="aaa" 1123@4294000']);
  f("aaa 1 -5.5", ['__name__="aaa" 1@-5000']);
  f("aaa 1123 429496729600", ['__name__="aaa" 1123@429496729600000']);
  // Absurd timestamps wrap like Go's int64 (NaN and 1e30 become -2^63, ×1000 wraps to 0).
  f("a 1 NaN\nb 2 1e30\nc 3 -Inf", ['__name__="a" 1@0', '__name__="b" 2@0', '__name__="c" 3@0']);
  // Values with fastfloat rules.
  f("a NaN 1\nb -Inf 1\nc +inf 1\nd infinity 1\ne 1e3 1\nf -0 1", [
    '__name__="a" NaN@1000',
    '__name__="b" -Infinity@1000',
    '__name__="c" Infinity@1000',
    '__name__="d" Infinity@1000',
    '__name__="e" 1000@1000',
    '__name__="f" 0@1000',
  ]);
});

test("parseGraphite: tags", () => {
  const f = (input: string, series: string[], invalid = 0) => expect(run(input)).toEqual({ series, invalid });
  f("foo;bar=baz 1 2", ['__name__="foo",bar="baz" 1@2000']);
  f("foo;bar=123;baz=aabb 1 2", ['__name__="foo",bar="123",baz="aabb" 1@2000']);
  // Empty tags, tags without `=`, empty key or value are dropped.
  f("foo; 1", [`__name__="foo" 1@${NOW}`]);
  f("foo;bar 1 2", ['__name__="foo" 1@2000']);
  f("foo;bar=baz;aa=;x=y;=z 1 2", ['__name__="foo",bar="baz",x="y" 1@2000']);
  f("foo;baz=bar;bb=;y=x;=z\t1\t2", ['__name__="foo",baz="bar",y="x" 1@2000']);
  f("foo;;a=b;; 1 2", ['__name__="foo",a="b" 1@2000']);
  // The value is split at the first `=`.
  f("foo;a=b=c 1 2", ['__name__="foo",a="b=c" 1@2000']);
  // UTF-8 and odd characters are kept verbatim.
  f("m\u00e9t;t\u00e9=v\ud83d\ude00 1 2", ['__name__="mét",té="v😀" 1@2000']);
  // (A leading BOM is kept too, but decodeWriteRequest's TextDecoder strips it from label values.)
  f("b\ufeffom 1 2", ['__name__="b\ufeffom" 1@2000']);
});

test("parseGraphite: invalid lines are skipped", () => {
  const f = (input: string, series: string[], invalid: number) => expect(run(input)).toEqual({ series, invalid });
  f("aaa", [], 1); // no value
  f(" 123 455", [], 1); // missing metric: leading blanks are not trimmed in v1.79.5
  f("   ", [], 1);
  f(";a=b 1 2", [], 1);
  f("aa bb", [], 1);
  f("aa 123 bar", [], 1);
  f("aa 1 2 3", [], 1);
  f("aa 1 ", [], 1); // a blank after the value means an (empty) timestamp
  f("aa 1 2\r\r", [], 1);
  f("s;tag1=aaa1;tag2=bb b2;tag3=ccc3 1", [], 1);
  f("aa +1 2\nbb .5 2\ncc 5. 2\ndd 1e 2\nee 0x10 2", [], 5);
  f("foo 0.3 2\naaa\nbar.baz 0.34 43\n", ['__name__="foo" 0.3@2000', '__name__="bar.baz" 0.34@43000'], 1);
});

test("parseGraphite: -graphiteTrimTimestamp", () => {
  const f = (input: string, trimTimestampMs: number, want: string[]) =>
    expect(run(input, { trimTimestampMs }).series).toEqual(want);
  f("a 1 1700000059", 60_000, ['__name__="a" 1@1700000040000']);
  f("a 1 1700000059", 1000, ['__name__="a" 1@1700000059000']);
  f("a 1 1700000059", 1, ['__name__="a" 1@1700000059000']);
  f("a 1", 3_600_000, ['__name__="a" 1@1699999200000']);
});

test("parseGraphite: -graphite.sanitizeMetricName", () => {
  const f = (input: string, want: string[]) => expect(run(input, { sanitizeMetricName: true }).series).toEqual(want);
  f("foo..bar...baz 1 2", ['__name__="foo.bar.baz" 1@2000']);
  f("foo-bar/b@z;ta-g=v-1;a.b=c 1 2", ['__name__="foo_bar_b_z",ta_g="v-1",a.b="c" 1@2000']);
  f("m\u00e9\ud83d\ude00 1 2", ['__name__="m__" 1@2000']);
  expect(sanitizeName("ok:name_1.x")).toBe("ok:name_1.x");
});

test("parseGraphite: long and binary input", () => {
  const long = "a.".repeat(50_000) + "z";
  expect(run(`${long};k=${"v".repeat(10_000)} 1 2`).series).toEqual([
    `__name__="${long}",k="${"v".repeat(10_000)}" 1@2000`,
  ]);
  // Invalid UTF-8 becomes U+FFFD (vmagent keeps the raw bytes).
  expect(run(new Uint8Array([0x61, 0xff, 0x20, 0x31, 0x20, 0x32])).series).toEqual(['__name__="a\ufffd" 1@2000']);
  // Many lines without tags or timestamps stay linear (no rescanning of the body per line).
  const many = "m 1\n".repeat(200_000);
  const t0 = performance.now();
  expect(run(many).series.length).toBe(200_000);
  expect(performance.now() - t0).toBeLessThan(5_000);
});
