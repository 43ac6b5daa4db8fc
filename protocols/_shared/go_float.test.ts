import { expect, test } from "bun:test";
import { goInt64, goPow10, mulInt64, parseFastFloat } from "./go_float.ts";

test("parseFastFloat matches fastfloat.Parse of vmagent v1.79.5", () => {
  const f = (s: string, want: number | undefined) => {
    const b = new TextEncoder().encode(`<${s}>`);
    const got = parseFastFloat(b, 1, b.length - 1); // a range inside a larger buffer
    if (want === undefined) expect(got).toBeUndefined();
    else expect(Object.is(got, want) || (Number.isNaN(want) && Number.isNaN(got))).toBe(true);
  };
  f("0", 0);
  f("-0", -0);
  f("123", 123);
  f("-123.456", -123.456);
  f("0.3", 0.3);
  f("1e3", 1000);
  f("1E+2", 100);
  f("1.5E-3", 0.0015);
  f("123e-2", 1.23);
  f("1.e5", 100000);
  f("00012", 12);
  f("1e05", 100000);
  // inf and nan in any case, with an optional sign (`+` only before them).
  f("inf", Infinity);
  f("-Inf", -Infinity);
  f("+inf", Infinity);
  f("InFiNiTy", Infinity);
  f("-infinity", -Infinity);
  f("NaN", NaN);
  f("-nan", NaN);
  f("+nan", NaN);
  // Errors.
  f("", undefined);
  f("-", undefined);
  f("+", undefined);
  f("+5", undefined);
  f("--1", undefined);
  f(".5", undefined); // v1.6.3 needs an integer part…
  f("-.5", undefined);
  f("1.", undefined); // …and a fractional part after a dot
  f("1.2.3", undefined);
  f("1e", undefined);
  f("1e+", undefined);
  f("0x10", undefined);
  f("1_000", undefined);
  f(" 1", undefined);
  f("1 ", undefined);
  f("infinit", undefined);
  f("nan1", undefined);
  // Long mantissas and big exponents fall back to a correctly rounded parse (Go ParseFloat, `_` allowed).
  f("12345678901234567890", 12345678901234567890);
  f("12345678901234567890_1", 123456789012345678901);
  f("1234567890123456789012345", 1.234567890123456789012345e24);
  f("0.1234567890123456789", 0.1234567890123456789);
  f("1234567890123456.5", 1234567890123456.5);
  f("1e400", Infinity);
  f("-1e400", -Infinity);
  f("1e-400", 0);
  f("1e301", 1e301);
  f("1234567890123456789x", undefined);
  // 16–18 digit integers round once, like Go's float64(uint64).
  f("9007199254740993", 9007199254740992);
  f("123456789012345678", 123456789012345678);
  f("-123456789012345678", -123456789012345678);
  // Go's rounding: mantissa / 10^k, then × math.Pow10(exp).
  f("1.23e-5", (123 / 100) * goPow10(-5));
  f("7e22", 7 * goPow10(22));
});

test("goPow10", () => {
  const f = (n: number, want: number) => expect(goPow10(n)).toBe(want);
  f(0, 1);
  f(22, 1e22);
  f(308, 1e308);
  f(309, Infinity);
  f(-323, 1e-323);
  f(-324, 0);
});

test("goInt64 and mulInt64", () => {
  const f = (x: number, want: number) => expect(Object.is(goInt64(x), want)).toBe(true);
  f(1.9, 1);
  f(-1.9, -1);
  f(-0.5, 0);
  f(NaN, -9223372036854775808);
  f(Infinity, -9223372036854775808);
  f(1e30, -9223372036854775808);
  f(-9223372036854775808, -9223372036854775808);
  f(9223372036854775807, -9223372036854775808); // rounds to 2^63 as a double: out of range
  const m = (a: number, k: number, want: number) => expect(mulInt64(a, k)).toBe(want);
  m(1_700_000_000, 1000, 1_700_000_000_000);
  m(-9223372036854775808, 1000, 0);
  m(1e17, 1000, Number(BigInt.asIntN(64, 10n ** 20n)));
  m(-5, 1000, -5000);
});
