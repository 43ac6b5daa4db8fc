import { describe, expect, test } from "bun:test";
import { labelText, testWriter } from "../_shared/testing.ts";
import { ParseError } from "../_shared/protocol.ts";
import { int64DigitsStart, parseInt64String } from "../_shared/go_int64.ts";
import { parseColumnDescriptors } from "./column_descriptor.ts";
import { GoTimeLayout } from "./go_time.ts";
import { parseCsv } from "./parse.ts";
import { CASES, FUZZ_FORMAT, SEEDS } from "./testdata.ts";

const NOW = 1_700_000_123_456;

function fmt(v: number): string {
  return Number.isNaN(v) ? "NaN" : String(v);
}

/** Renders each series as `name{k=v,…} value@ts` in write order, plus the invalid-line reasons. */
function run(format: string, body: string, trim = 1): { series: string[]; invalid: string[] } {
  const t = testWriter();
  parseCsv(new TextEncoder().encode(body), t.w, {
    columns: parseColumnDescriptors(format),
    nowMs: NOW,
    trimTimestampMs: trim,
    invalidLine: t.invalidLine,
  });
  const series = t.decoded().map((s) => {
    const [first, ...rest] = s.labels;
    return `${first?.[1]}{${labelText(rest)}} ${s.samples.map((x) => `${fmt(x.value)}@${x.timestamp}`).join(";")}`;
  });
  return { series, invalid: t.invalid };
}

describe("parseColumnDescriptors", () => {
  test("errors", () => {
    const f = (format: string, want: string) => {
      expect(() => parseColumnDescriptors(format)).toThrow(new ParseError(want));
    };
    f("", 'Entry #1 must have the following form: <column_pos>:<column_type>:<extension>; got [""]');
    f("1:metric", 'Entry #1 must have the following form: <column_pos>:<column_type>:<extension>; got ["1" "metric"]');
    f("1:metric:x,", 'Entry #2 must have the following form: <column_pos>:<column_type>:<extension>; got [""]');
    f("a:metric:x", 'Cannot parse <column_pos> part from the entry #1 "a:metric:x": invalid syntax');
    f(" 1:metric:x", 'Cannot parse <column_pos> part from the entry #1 " 1:metric:x": invalid syntax');
    f("0:metric:x", '<column_pos> cannot be smaller than 1; got 0 for entry #1 "0:metric:x"');
    f("65537:metric:x", '<column_pos> cannot be bigger than 65536; got 65537 for entry #1 "65537:metric:x"');
    f("1:label:x", `Missing 'metric' column in "1:label:x"`);
    f("1:metric:x,1:label:y", 'Duplicate <column_pos> 0 for the entry #2 "1:label:y"');
    f(
      "1:metric:x,2:time:unix_s,3:time:unix_ms",
      'Duplicate time column has been found at entry #3 "3:time:unix_ms" for "1:metric:x,2:time:unix_s,3:time:unix_ms"',
    );
    f(
      "1:metric:x,2:time:bogus",
      'Cannot parse time format from the entry #2 "2:time:bogus": Unknown format for time parsing: "bogus"; supported formats: unix_s, unix_ms, unix_ns, rfc3339, custom:<layout>',
    );
    f("1:foo:x", 'Unknown <column_type>: "foo"; allowed values: time, metric, label');
    f("1:metric:", 'Metric name cannot be empty in the entry #1 "1:metric:"');
    f("1:label:,2:metric:x", 'Label name cannot be empty in the entry #1 "1:label:"');
  });

  test("accepted forms", () => {
    expect(parseColumnDescriptors("+2:metric:x:y").map((c) => c.metric)).toEqual(["", "x:y"]);
    expect(parseColumnDescriptors("65536:metric:x").length).toBe(65536);
  });
});

describe("parseCsv", () => {
  test("rows", () => {
    const f = (format: string, body: string, want: string[], invalid: number) => {
      const r = run(format, body);
      expect(r.series).toEqual(want);
      expect(r.invalid.length).toBe(invalid);
    };
    f("1:metric:m", "", [], 0);
    f("1:metric:m", "\n\r\n", [], 0);
    f("1:metric:m", "1\n2.5\r\n-inf\n1e3", [
      `m{} 1@${NOW}`,
      `m{} 2.5@${NOW}`,
      `m{} -Infinity@${NOW}`,
      `m{} 1000@${NOW}`,
    ], 0);
    // Superfluous columns ignored; unlisted ones in range skipped; trailing empty field is not a column.
    f(
      "2:metric:m,4:label:l",
      'x,1,y,lv,extra\nx,2,y,\nx,3,y\n,4,,\n,5,,""\n',
      ["m{l=lv} 1@" + NOW, "m{l=} 5@" + NOW],
      3,
    );
    // Quoted fields.
    f(
      "1:label:a,2:metric:m,3:label:b",
      '"x,""y""",1,""\n"",2,"z"\n',
      [`m{a=x,"y",b=} 1@${NOW}`, `m{a=,b=z} 2@${NOW}`],
      0,
    );
    // Several metrics share labels and time.
    f("3:time:unix_s,1:metric:a,2:metric:b,4:label:l", "1,2,1700000000,x\n", [
      "a{l=x} 1@1700000000000",
      "b{l=x} 2@1700000000000",
    ], 0);
    // Bad values: empty, +1, .5, spaces, hex reject the whole row (v1.79.5).
    f("1:metric:a,2:metric:b", "1,\n1,+1\n.5,1\n 1,1\n1 ,1\n0x1,1\n1,2", [`a{} 1@${NOW}`, `b{} 2@${NOW}`], 6);
    // Broken quotes, also beyond the listed columns.
    f("1:metric:a", '"1\n"1"x\n1,"x\n1,"x"y\n"1"', [`a{} 1@${NOW}`], 4);
  });

  test("time formats", () => {
    const f = (ext: string, value: string, want: number | undefined) => {
      const r = run(`1:metric:m,2:time:${ext}`, `1,${value}`);
      if (want === undefined) {
        expect(r.series).toEqual([]);
        expect(r.invalid.length).toBe(1);
      } else expect(r.series).toEqual([`m{} 1@${want}`]);
    };
    f("unix_s", "1700000000", 1700000000000);
    f("unix_s", "-1", -1000);
    f("unix_s", "0", NOW);
    f("unix_s", "1700000000.5", undefined);
    f("unix_s", "+1700000000", undefined);
    f("unix_s", " 1", undefined);
    f("unix_s", "9223372036854776", undefined);
    f("unix_ms", "01700000000123", 1700000000123);
    f("unix_ms", "99999999999999999999", undefined);
    f("unix_ns", "1700000000123999999", 1700000000123);
    f("unix_ns", "-1700000000123999999", -1700000000123);
    f("unix_ns", "999999", NOW);
    f("rfc3339", "2023-01-02T03:04:05Z", 1672628645000);
    f("rfc3339", "2023-01-02T03:04:05.1234567Z", 1672628645123);
    f("rfc3339", "2023-01-02T03:04:05.123+02:00", 1672621445123);
    f("rfc3339", "2023-01-02T03:04:05+24:00", 1672542245000);
    f("rfc3339", "2023-01-02T3:04:05Z", 1672628645000);
    f("rfc3339", "1969-12-31T23:59:59.9995Z", NOW); // -0.5 ms truncates to 0 → now
    f("rfc3339", "2023-01-02T03:04:05z", undefined);
    f("rfc3339", "2023-01-02t03:04:05Z", undefined);
    f("rfc3339", "2023-01-02T03:04:05+0200", undefined);
    f("rfc3339", "2023-02-29T03:04:05Z", undefined);
    f("rfc3339", "2023-01-02T24:00:00Z", undefined);
    f("rfc3339", "2023-01-02T03:04:60Z", undefined);
    f("custom:2006-01-02 15:04:05", "2023-05-06 07:08:09", 1683356889000);
    f("custom:2006-01-02 15:04:05", "2023-5-6 07:08:09", undefined);
  });

  test("-csvTrimTimestamp", () => {
    expect(run("1:metric:m,2:time:unix_ms", "1,1700000001999", 1000).series).toEqual(["m{} 1@1700000001000"]);
  });

  test("testdata cases and seeds", () => {
    for (const [format, body] of CASES) {
      try {
        run(format, body);
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
      }
    }
    for (const s of SEEDS) run(FUZZ_FORMAT, s);
  });
});

describe("GoTimeLayout", () => {
  test("Go reference layouts", () => {
    const f = (layout: string, value: string, want: number | string) => {
      const l = new GoTimeLayout(layout);
      const got = l.parse(value);
      if (typeof want === "string") {
        expect(got).toBeUndefined();
        expect(l.error).toContain(want);
      } else expect(got).toBe(want);
    };
    const T = 1683356889000; // 2023-05-06T07:08:09Z
    f("2006-01-02 15:04:05", "2023-05-06 07:08:09", T);
    f("02/01/2006 15:04:05.000 -0700", "06/05/2023 07:08:09.123 +0200", T - 7200000 + 123);
    f("02/01/2006 15:04:05.000 -0700", "06/05/2023 07:08:09 +0200", "cannot parse");
    f("Jan _2 2006 15:04:05 MST", "May  6 2023 07:08:09 UTC", T);
    f("Jan _2 2006 15:04:05 MST", "May 16 2023 07:08:09 CEST", T + 10 * 86400000);
    f("2006-01-02 15:04:05 MST", "2023-05-06 07:08:09 GMT+3", T);
    f("2006-01-02 15:04:05 MST", "2023-05-06 07:08:09 +05", T);
    f("2006-01-02 15:04:05 MST", "2023-05-06 07:08:09 WITA", T);
    f("2006-01-02 15:04:05 MST", "2023-05-06 07:08:09 AB", "cannot parse");
    f("2006-01-02 15:04:05 -07", "2023-05-06 07:08:09 -03", T + 3 * 3600000);
    f("2006-01-02 15:04:05 -07:00:00", "2023-05-06 07:08:09 +01:02:03", T - 3723000);
    f("2006-01-02 15:04:05 Z0700", "2023-05-06 07:08:09 Z", T);
    f("2006-01-02 15:04:05 Z0700", "2023-05-06 07:08:09 +0130", T - 5400000);
    f("January 2 2006 3PM", "May 6 2023 7AM", 1683356400000);
    f("January 2 2006 3PM", "may 6 2023 12AM", 1683331200000);
    f("Monday 02-Jan-06", "Saturday 06-May-23", 1683331200000);
    f("Mon 02-Jan-06", "Fri 06-May-23", 1683331200000);
    f("2006 __2", "2023  5", 1672876800000);
    f("2006 __2", "2023 126", 1683331200000);
    f("2006-002 15", "2023-126 07", 1683356400000);
    f("2006-01-02 002", "2023-05-07 126", "day-of-year does not match day");
    f("2006-01-02 15:04:05.000000", "2023-05-06 07:08:09.123456", T + 123);
    f("02 Jan 06 15:04 -0700", "06 May 23 07:08 +0100", T - 9000 - 3600000);
    f("2006-01-02 pm 3", "2023-05-06 pm 3", 1683385200000);
    f("06", "70", 0);
    f("06", "68", Date.UTC(2068, 0, 1));
    f("2006-01-02T15:04:05Z07:00", "2023-05-06T07:08:09Z", T);
    f("2006-01-02_2006", "2023-05-06_2023", 1683331200000);
    f("2006-1-2 15:4:5", "2023-5-6 7:8:9", T);
    f("2006-01-02   15", "2023-05-06 07", 1683356400000);
    f("2006-01-02 15", "2023-05-06     07", 1683356400000);
    f("2006-01-02 15", "2023-05-0607", "cannot parse");
    f("2006-01-02 15:04:05", "2023-05-06 07:08:09.25", T + 250);
    f("2006-01-02 15:04:05", "2023-05-06 07:08:09x", "extra text");
    f("Jan 2006", "Febr 2023", "cannot parse");
    f("15:04", "1", "cannot parse");
    // Year 0 overflows int64 nanoseconds in Go; the wrapped value is kept.
    f("15:04", "01:02", Number(BigInt.asIntN(64, BigInt(-62167219200 + 3720) * 1_000_000_000n) / 1_000_000n));
  });
});

describe("go_int64", () => {
  test("strict int64", () => {
    const f = (s: string, want: number | undefined) => expect(parseInt64String(s)).toBe(want);
    f("0", 0);
    f("-12", -12);
    f("007", 7);
    f("9223372036854775807", 9223372036854775807);
    f("-9223372036854775808", -9223372036854775808);
    f("0000000000000000000000001", 1);
    f("9223372036854775808", undefined);
    f("+1", undefined);
    f("-", undefined);
    f("", undefined);
    f("1.0", undefined);
    f("1e3", undefined);
    expect(int64DigitsStart(new TextEncoder().encode("-5"), 0, 2)).toBe(1);
  });
});
