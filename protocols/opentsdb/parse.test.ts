import { expect, test } from "bun:test";
import { testContext, written } from "../_shared/testing.ts";
import { parseOpenTSDB } from "./parse.ts";

const NOW_MS = 1_700_000_000_789;
const NOW = 1_700_000_000_000; // the current second in ms

function run(input: string | Uint8Array, trimTimestampMs = 1000): { series: string[]; invalid: number } {
  const t = testContext(NOW_MS);
  parseOpenTSDB(typeof input === "string" ? new TextEncoder().encode(input) : input, t.ctx, { trimTimestampMs });
  return written(t);
}

test("parseOpenTSDB: lines", () => {
  const f = (input: string, series: string[], invalid = 0) => expect(run(input)).toEqual({ series, invalid });
  f("", []);
  f("\r\n\n\r", []);
  f("put foobar 789 -123.456 a=b", ['__name__="foobar",a="b" -123.456@789000']);
  f("put foo.bar 789 123.456 a=b\n", ['__name__="foo.bar",a="b" 123.456@789000']);
  f("put foo 2 1 bar=baz x=y", ['__name__="foo",bar="baz",x="y" 1@2000']);
  f("put foo 2 1 bar=baz=aaa x=y", ['__name__="foo",bar="baz=aaa",x="y" 1@2000']);
  // Tags are optional.
  f("put foo 2 1", ['__name__="foo" 1@2000']);
  f("put foo 2 1 ", ['__name__="foo" 1@2000']);
  // Empty tag keys or values are dropped.
  f("put foobar 789 -123.456 a= b=c =d", ['__name__="foobar",b="c" -123.456@789000']);
  // Runs of spaces, leading spaces, trailing spaces; CRLF.
  f("  put  foobar  789  -123.456  a=b  c=d  \r\n", ['__name__="foobar",a="b",c="d" -123.456@789000']);
  // A tab is not a separator: it stays in the tag value.
  f("put foo 2 1 a=b\tc=d", ['__name__="foo",a="b\\tc=d" 1@2000']);
  // Fractional timestamps are truncated; 0 is now; no millisecond detection in v1.79.5.
  f("put foobar 789.9 1 a=b", ['__name__="foobar",a="b" 1@789000']);
  f("put foo 0 1", [`__name__="foo" 1@${NOW}`]);
  f("put foo 1700000000123 1", ['__name__="foo" 1@1700000000123000']);
  f("put foo -1 1", ['__name__="foo" 1@-1000']);
  f("put foo NaN 1", ['__name__="foo" 1@0']);
  // Values with fastfloat rules.
  f("put a 1 NaN\nput b 1 -inf\nput c 1 1e3", [
    '__name__="a" NaN@1000',
    '__name__="b" -Infinity@1000',
    '__name__="c" 1000@1000',
  ]);
  f("put foo 2 0.3 a=b\nput bar.baz 43 0.34 a=b\n", [
    '__name__="foo",a="b" 0.3@2000',
    '__name__="bar.baz",a="b" 0.34@43000',
  ]);
});

test("parseOpenTSDB: invalid lines are skipped", () => {
  const f = (input: string, invalid: number, series: string[] = []) => expect(run(input)).toEqual({ series, invalid });
  f("xx", 1);
  f("get foo 1 2", 1);
  f("put", 1);
  f("put ", 1);
  f("put  111 34", 1);
  f("put aaa", 1);
  f("put aaa 1123", 1);
  f("put aaa 1123 ", 1);
  f("put aaa timestamp 1", 1);
  f("put foobar 3df4 -123456 a=b", 1);
  f("put aaa 123 invalid-value", 1);
  f("put foobar 789 -123foo456 a=b", 1);
  f("put aaa 123 4.5 foo", 1);
  f("put aaa 123 4.5 a=b foo", 1);
  f("put\tm 1 2", 1);
  f("put m\t1 2 3", 0, ['__name__="m\\t1" 3@2000']); // the metric is "m\t1"
  f("put aaa\nbbb 123 34", 2);
  f("put foo 2 0.3 a=b\naaa bbb\nput bar.baz 43 0.34 a=b\n", 1, [
    '__name__="foo",a="b" 0.3@2000',
    '__name__="bar.baz",a="b" 0.34@43000',
  ]);
  // A line rejected for a bad tag leaves no partial series behind.
  f("put a 1 1 x=y bad\nput b 2 2", 1, ['__name__="b" 2@2000']);
});

test("parseOpenTSDB: -opentsdbTrimTimestamp", () => {
  const f = (input: string, trim: number, want: string[]) => expect(run(input, trim).series).toEqual(want);
  f("put a 1700000059 1", 60_000, ['__name__="a" 1@1700000040000']);
  f("put a 1700000059 1", 1000, ['__name__="a" 1@1700000059000']);
  f("put a 0 1", 3_600_000, ['__name__="a" 1@1699999200000']);
});

test("parseOpenTSDB: long and binary input", () => {
  const long = "m".repeat(100_000);
  expect(run(`put ${long} 1 2 k=${"v".repeat(10_000)}`).series).toEqual([
    `__name__="${long}",k="${"v".repeat(10_000)}" 2@1000`,
  ]);
  expect(run(new Uint8Array([0x70, 0x75, 0x74, 0x20, 0xc3, 0x28, 0x20, 0x31, 0x20, 0x32])).series).toEqual([
    '__name__="\ufffd(" 2@1000',
  ]);
  const many = "put m 1 1 a=b\n".repeat(100_000);
  expect(run(many).series.length).toBe(100_000);
});
