import { describe, expect, test } from "bun:test";
import {
  parseBool,
  parseDuration,
  parseInteger,
  parseNumber,
  parseSize,
  splitArrayValue,
  ValueSyntaxError,
} from "./_units.ts";

/** Asserts that `fn(s)` throws a ValueSyntaxError whose reason contains `reason`. */
function expectReason(fn: (s: string) => unknown, s: string, reason: string): void {
  let err: unknown;
  try {
    fn(s);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValueSyntaxError);
  expect((err as ValueSyntaxError).reason).toContain(reason);
  expect((err as ValueSyntaxError).message).toContain(JSON.stringify(s));
}

describe("parseSize", () => {
  test("valid", () => {
    const f = (s: string, want: number) => expect(parseSize(s)).toBe(want);
    f("0", 0);
    f("123", 123);
    f("1KB", 1000);
    f("1MB", 1e6);
    f("2GB", 2e9);
    f("1TB", 1e12);
    f("1KiB", 1024);
    f("32MiB", 32 * 1024 * 1024);
    f("1.5GiB", 1.5 * 2 ** 30);
    f("2TiB", 2 * 2 ** 40);
    f("1.5KB", 1500);
    f("1.1KiB", 1126); // truncated like flagutil.Bytes
    f(".5KiB", 512);
    f("12.7", 12);
    f("+5", 5);
    f("-0", 0);
  });
  test("invalid", () => {
    const f = (s: string, reason: string) => expectReason(parseSize, s, reason);
    f("", "not a size");
    f("abc", "not a size");
    f("1kb", "not a size");
    f("1K", "not a size");
    f("1 MiB", "not a size");
    f("MiB", "not a size");
    f("1e3", "not a size");
    f("-1", "cannot be negative");
    f("-1.5GiB", "cannot be negative");
    f("99999999TiB", "too big");
  });
});

describe("parseDuration", () => {
  test("valid", () => {
    const f = (s: string, wantMs: number) => expect(parseDuration(s)).toBeCloseTo(wantMs, 9);
    f("0", 0);
    f("1s", 1000);
    f("1m", 60_000);
    f("1h", 3_600_000);
    f("1h30m", 5_400_000);
    f("1m0s", 60_000);
    f("500ms", 500);
    f("1.5s", 1500);
    f(".5s", 500);
    f("10us", 0.01);
    f("10µs", 0.01);
    f("10μs", 0.01);
    f("1000000ns", 1);
    f("2d", 2 * 86_400_000);
    f("1w", 7 * 86_400_000);
    f("1y", 365 * 86_400_000);
    f("1h1m1s1ms", 3_661_001);
    f("30", 30_000); // plain number = seconds
    f("1.5", 1500);
    f("+1s", 1000);
    f("-0s", 0);
  });
  test("invalid", () => {
    const f = (s: string, reason: string) => expectReason(parseDuration, s, reason);
    f("", "not a duration");
    f("abc", "not a duration");
    f("s", "not a duration");
    f("1x", "not a duration");
    f("1S", "not a duration");
    f("1h 30m", "not a duration");
    f("1.2.3s", "not a duration");
    f("1s2", "not a duration");
    f("-1s", "cannot be negative");
    f("-5", "cannot be negative");
  });
});

describe("parseInteger", () => {
  test("valid", () => {
    const f = (s: string, want: number) => expect(parseInteger(s)).toBe(want);
    f("0", 0);
    f("10000", 10000);
    f("-3", -3);
    f("+7", 7);
    f("0x10", 16);
    f("-0x10", -16);
    f("007", 7);
  });
  test("invalid", () => {
    const f = (s: string, reason: string) => expectReason(parseInteger, s, reason);
    f("", "not an integer");
    f("abc", "not an integer");
    f("1.5", "not an integer");
    f("1e3", "not an integer");
    f("1_000", "not an integer");
    f(" 1", "not an integer");
    f("99999999999999999999", "out of range");
  });
});

describe("parseNumber", () => {
  test("valid", () => {
    const f = (s: string, want: number) => expect(parseNumber(s)).toBe(want);
    f("60", 60);
    f("12.5", 12.5);
    f("-1", -1);
    f(".5", 0.5);
    f("1e3", 1000);
    f("1.5E-1", 0.15);
  });
  test("invalid", () => {
    const f = (s: string) => expectReason(parseNumber, s, "not a number");
    f("");
    f("abc");
    f("NaN");
    f("Infinity");
    f("0x10");
    f("1e999");
  });
});

describe("parseBool", () => {
  test("valid", () => {
    const f = (s: string, want: boolean) => expect(parseBool(s)).toBe(want);
    for (const s of ["1", "t", "T", "TRUE", "true", "True"]) f(s, true);
    for (const s of ["0", "f", "F", "FALSE", "false", "False"]) f(s, false);
  });
  test("invalid", () => {
    const f = (s: string) => expectReason(parseBool, s, "not a boolean");
    f("");
    f("yes");
    f("tRUE");
    f("2");
  });
});

describe("splitArrayValue", () => {
  test("splits at top-level commas only", () => {
    const f = (s: string, want: string[]) => expect(splitArrayValue(s)).toEqual(want);
    f("", [""]);
    f("a", ["a"]);
    f("a,b", ["a", "b"]);
    f("a,,b", ["a", "", "b"]);
    f(",5s", ["", "5s"]);
    f("a,", ["a", ""]);
    f(`a,"b, c"`, ["a", "b, c"]);
    f(`'x,y',z`, ["x,y", "z"]);
    f(String.raw`"a\"b,c"`, [`a"b,c`]);
    f(String.raw`"a\nb\tc"`, ["a\nb\tc"]);
    f("[a,b],c", ["[a,b]", "c"]);
    f("{a,[b,c]},d", ["{a,[b,c]}", "d"]);
    f("f(a,b),c", ["f(a,b)", "c"]);
    f(`x="a,b",y`, [`x="a,b"`, "y"]);
    f(`"a"b"`, [`"a"b"`]); // not a single quoted string: kept verbatim
    f("a],b", ["a]", "b"]);
    f('"unterminated,x', ['"unterminated,x']);
  });
});
