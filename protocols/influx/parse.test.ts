import { describe, expect, test } from "bun:test";
import { labelText, testWriter } from "../_shared/testing.ts";
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { goPow10 } from "../_shared/go_float.ts";
import { parseBestEffort, Precision, precisionOf } from "./numbers.ts";
import { type InfluxParseOptions, parseInflux } from "./parse.ts";
import { SEEDS } from "./testdata.ts";

const NOW = 1_700_000_123_456;

const defaults: InfluxParseOptions = {
  measurementFieldSeparator: "_",
  skipMeasurement: false,
  skipSingleField: false,
  dbLabel: "db",
  db: "",
  precision: Precision.Auto,
  maxLineSize: 256 * 1024,
  trimTimestampMs: 1,
};

/** Parses `body` and renders each series as `name{k=v,…} value@ts` in write order. */
function run(
  body: string | Uint8Array,
  opts: Partial<InfluxParseOptions> = {},
): { series: string[]; invalid: string[] } {
  const t = testWriter();
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  parseInflux(bytes, { ...defaults, ...opts }, { w: t.w, nowMs: NOW, invalidLine: t.invalidLine });
  const series = t.decoded().map((s) => {
    const [first, ...rest] = s.labels;
    const name = first?.[0] === "__name__" ? first[1] : "?";
    const labels = labelText(first?.[0] === "__name__" ? rest : s.labels);
    return s.samples.map((x) => `${name}{${labels}} ${x.value}@${x.timestamp}`).join(";");
  });
  return { series, invalid: t.invalid };
}

describe("parseInflux", () => {
  test("lines, tags, fields, escapes", () => {
    const f = (body: string, want: string[]) => {
      const r = run(body);
      expect(r.invalid).toEqual([]);
      expect(r.series).toEqual(want);
    };
    f("", []);
    f("\n\n# comment\n#m f=1 1\n", []);
    f("cpu,host=a,dc=x usage=1.5,idle=2i 1700000000", [
      "cpu_usage{host=a,dc=x} 1.5@1700000000000",
      "cpu_idle{host=a,dc=x} 2@1700000000000",
    ]);
    f("weird\\ meas,ta\\,g=v\\ 1 f\\=x=3 1700000000", ["weird meas_f=x{ta,g=v 1} 3@1700000000000"]);
    f("m,t=\\\\ f=1,g\\\\=2 1700000000", ["m_f{t=\\} 1@1700000000000", "m_g\\{t=\\} 2@1700000000000"]);
    // `\\` before a space is an escaped backslash, so the space separates.
    f("m,t=a\\b,u=x\\\\ f=1 1700000000", ["m_f{t=a\\b,u=x\\} 1@1700000000000"]);
    f("m,t=a=b f=1 1700000000", ["m_f{t=a=b} 1@1700000000000"]);
    f("m,a=,=b,c=d f=1 1700000000", ["m_f{c=d} 1@1700000000000"]);
    f(",t=v f=1 1700000000", ["f{t=v} 1@1700000000000"]);
    f("m  f=1   1700000000", ["m_f{} 1@1700000000000"]);
    f('m f="a,b c",g=2 1700000000', ["m_f{} 0@1700000000000", "m_g{} 2@1700000000000"]);
    f('m f="a\\"b",g=3 1700000000', ["m_f{} 0@1700000000000", "m_g{} 3@1700000000000"]);
    f('m s="12.5",t="abc",u="" 1700000000', [
      "m_s{} 12.5@1700000000000",
      "m_t{} 0@1700000000000",
      "m_u{} 0@1700000000000",
    ]);
    f("a f=1 1700000000\r\nb f=2 1700000000\r\n\r\n", ["a_f{} 1@1700000000000", "b_f{} 2@1700000000000"]);
    f("m,t=\u00e9 f\u00fc=1 1700000000", ["m_f\u00fc{t=\u00e9} 1@1700000000000"]);
  });

  test("a leading BOM stays in the measurement, as in Go", () => {
    // decodeWriteRequest's TextDecoder would strip it again, so look at the block bytes.
    const b = new BlockBuilder();
    const w = new SeriesWriter(b, [], () => {});
    parseInflux(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("m f=1 1")]), defaults, {
      w,
      nowMs: NOW,
      invalidLine: () => {},
    });
    expect(Buffer.from(b.finish()).includes(Buffer.from([0xef, 0xbb, 0xbf, 0x6d, 0x5f, 0x66]))).toBe(true);
  });

  test("field values", () => {
    const f = (value: string, want: number) => {
      const r = run(`m v=${value} 1700000000`);
      expect(r.invalid).toEqual([]);
      expect(r.series).toEqual([`m_v{} ${want}@1700000000000`]);
    };
    f("1i", 1);
    f("-3i", -3);
    f("-0i", 0);
    f("007i", 7);
    f("9223372036854775807i", 9223372036854775807);
    f("-9223372036854775808i", -9223372036854775808);
    f("00000000000000000000001i", 1);
    f("18446744073709551615u", 18446744073709551615);
    f("0u", 0);
    for (const t of ["t", "T", "true", "True", "TRUE"]) f(t, 1);
    for (const t of ["f", "F", "false", "False", "FALSE"]) f(t, 0);
    f("tRue", 0);
    f("1.5", 1.5);
    f("-1.5E-3", -0.0015);
    f("+5", 0);
    f(".5", 0);
    f("5.", 0);
    f("5.e3", 5000);
    f("0x10", 0);
    f("1_000", 0);
    f("1e5x", 0);
    f("inf", Infinity);
    f("-Infinity", -Infinity);
    f("+inf", Infinity);
    f("NaN", NaN);
    f("12345678901234567.5", 12345678901234568);
    f("123456789012345678901", 123456789012345678901);
    f("1234567890123456789_0", 12345678901234567890);
    f("1e309", Infinity);
  });

  test("invalid lines are skipped, the rest kept", () => {
    const f = (line: string, reason: string) => {
      const r = run(`ok f=1 1700000000\n${line}\nok2 f=2 1700000000`);
      expect(r.invalid).toEqual([reason]);
      expect(r.series).toEqual(["ok_f{} 1@1700000000000", "ok2_f{} 2@1700000000000"]);
    };
    f("m3 f=1 ", 'cannot parse timestamp "": cannot parse int64 from empty string');
    f(
      'm4 s="abc 1700000000',
      'cannot parse field value for "s": missing closing quote for quoted field value "abc 1700000000',
    );
    f('m f="x"y,g=1 1', 'cannot parse field value for "f": missing closing quote for quoted field value "x"y');
    f("m negu=-1u 1", 'cannot parse field value for "negu": cannot parse uint64 from "-1"');
    f("m a=1.5i 1", 'cannot parse field value for "a": unparsed tail left after parsing int64 from "1.5"');
    f("m a=+1i 1", 'cannot parse field value for "a": cannot parse int64 from "+1"');
    f("m a=i 1", 'cannot parse field value for "a": cannot parse int64 from empty string');
    f(
      "m a=9223372036854775808i 1",
      'cannot parse field value for "a": parsing "9223372036854775808": value out of range',
    );
    f(
      "m a=18446744073709551616u 1",
      'cannot parse field value for "a": parsing "18446744073709551616": value out of range',
    );
    f(
      "m f=1 1700000000 extra",
      'cannot parse timestamp "1700000000 extra": unparsed tail left after parsing int64 from "1700000000 extra"',
    );
    f("m f=1 +1", 'cannot parse timestamp "+1": cannot parse int64 from "+1"');
    f(
      "m f=1 9223372036854775808",
      'cannot parse timestamp "9223372036854775808": parsing "9223372036854775808": value out of range',
    );
    f(" m f=1 1", 'missing field value for "m"');
    f("m,abc f=1 1", 'missing tag value for "abc"');
    f("m, f=1 1", 'missing tag value for ""');
    f("m =1 1", "field key cannot be empty");
    f("m f= 1", 'cannot parse field value for "f": field value cannot be empty');
    f("m f=1,,g=2 1", 'missing field value for ""');
    f("m,t=x\\ f=1 1", 'missing field value for "1"');
    f("nospace", 'cannot find Whitespace I in "nospace"');
    f(
      "m f=1 HTTP/1.1",
      "please switch from tcp to http protocol for data ingestion; do not set `-influxListenAddr` command-line flag, since it is needed for tcp protocol only",
    );
    f(
      "GET /write HTTP/1.1",
      "please switch from tcp to http protocol for data ingestion; do not set `-influxListenAddr` command-line flag, since it is needed for tcp protocol only",
    );
  });

  test("timestamps", () => {
    const f = (ts: string, precision: Precision, want: number, trimTimestampMs = 1) => {
      const r = run(`m f=1${ts}`, { precision, trimTimestampMs });
      expect(r.invalid).toEqual([]);
      expect(r.series).toEqual([`m_f{} 1@${want}`]);
    };
    f(" 1700000000123456789", Precision.Ns, 1700000000123);
    f(" 1700000000123999999", Precision.Ns, 1700000000123);
    f(" -1700000000123999999", Precision.Ns, -1700000000123);
    f(" 123", Precision.Ns, 0);
    f(" 1700000000123999", Precision.Us, 1700000000123);
    f(" 1700000000123", Precision.Ms, 1700000000123);
    f(" 1700000000", Precision.S, 1700000000000);
    f(" 28333333", Precision.M, 1699999980000);
    f(" 472222", Precision.H, 1699999200000);
    // Guessed from the magnitude.
    f(" 99999999999", Precision.Auto, 99999999999000);
    f(" 100000000000", Precision.Auto, 100000000000);
    f(" 99999999999999", Precision.Auto, 99999999999999);
    f(" 100000000000000", Precision.Auto, 100000000000);
    f(" 99999999999999999", Precision.Auto, 99999999999999);
    f(" 100000000000000000", Precision.Auto, 100000000000);
    f(" 00001700000000", Precision.Auto, 1700000000000);
    f(" -1", Precision.Auto, -1000);
    // Missing or zero: now, truncated to the unit for s/m/h.
    for (const ts of ["", " 0", " -0", " 000"]) {
      f(ts, Precision.Auto, NOW);
      f(ts, Precision.Ns, NOW);
      f(ts, Precision.S, NOW - (NOW % 1000));
      f(ts, Precision.M, NOW - (NOW % 60_000));
      f(ts, Precision.H, NOW - (NOW % 3_600_000));
    }
    f(" 1700000000999", Precision.Auto, 1700000000000, 1000);
    f("", Precision.Auto, NOW - (NOW % 1000), 1000);
  });

  test("precision arg", () => {
    const f = (arg: string | null, want: Precision) => expect(precisionOf(arg)).toBe(want);
    f(null, Precision.Auto);
    f("", Precision.Auto);
    f("xx", Precision.Auto);
    f("ns", Precision.Ns);
    f("u", Precision.Us);
    f("us", Precision.Us);
    f("\u00b5", Precision.Us);
    f("\u03bc", Precision.Auto);
    f("ms", Precision.Ms);
    f("s", Precision.S);
    f("m", Precision.M);
    f("h", Precision.H);
  });

  test("naming flags and the db label", () => {
    const f = (body: string, opts: Partial<InfluxParseOptions>, want: string[]) => {
      expect(run(body, opts).series).toEqual(want);
    };
    const two = "m,t=x a=1,b=2 1700000000";
    const one = "m,t=x a=1 1700000000";
    f(two, { measurementFieldSeparator: "::" }, ["m::a{t=x} 1@1700000000000", "m::b{t=x} 2@1700000000000"]);
    f(two, { skipMeasurement: true }, ["a{t=x} 1@1700000000000", "b{t=x} 2@1700000000000"]);
    f(two, { skipSingleField: true }, ["m_a{t=x} 1@1700000000000", "m_b{t=x} 2@1700000000000"]);
    f(one, { skipSingleField: true }, ["m{t=x} 1@1700000000000"]);
    f(",t=x a=1 1700000000", { skipSingleField: true }, ["a{t=x} 1@1700000000000"]);
    f(one, { skipSingleField: true, skipMeasurement: true }, ["{t=x} 1@1700000000000"]);
    f(one, { db: "mydb" }, ["m_a{t=x,db=mydb} 1@1700000000000"]);
    f("m,db=own a=1 1700000000", { db: "mydb" }, ["m_a{db=own} 1@1700000000000"]);
    f("m,db=own a=1 1700000000", { db: "mydb", dbLabel: "database" }, ["m_a{db=own,database=mydb} 1@1700000000000"]);
    f("m,database=own a=1 1700000000", { db: "mydb", dbLabel: "database" }, ["m_a{database=own} 1@1700000000000"]);
  });

  test("-influx.maxLineSize counts UTF-8 bytes", () => {
    const f = (line: string, max: number, tooLong: boolean) => {
      const r = run(`${line}\nok f=1 1`, { maxLineSize: max });
      expect(r.invalid).toEqual(tooLong ? [`too long line: more than ${max} bytes`] : []);
      expect(r.series.length).toBe(tooLong ? 1 : 2);
    };
    f("m f=1 1700000000", 16, false);
    f("m f=1 1700000000", 15, true);
    f("m f=1 1700000000\r", 16, true);
    f("\u00e9 f=1 1700000000", 17, false);
    f("\u00e9 f=1 1700000000", 16, true);
    f("\u{1f600} f=1 1700000000", 19, false);
    f("\u{1f600} f=1 1700000000", 18, true);
  });

  test("seeds and their mutations never throw", () => {
    let seed = 1;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ' ,=\\"\n\r#itufTF0123456789.-+eE';
    for (let i = 0; i < 20_000; i++) {
      const base = SEEDS[rnd(SEEDS.length)]!;
      const chars = [...base];
      for (let m = rnd(6); m >= 0; m--) {
        const at = rnd(chars.length + 1);
        const op = rnd(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[rnd(alphabet.length)]!);
        else chars.splice(at, 1, alphabet[rnd(alphabet.length)]!);
      }
      run(chars.join(""));
    }
    run(new Uint8Array([0xff, 0xfe, 0x20, 0x3d, 0x31, 0x0a, 0xc3]));
  });
});

describe("numbers", () => {
  test("parseBestEffort matches fastfloat's arithmetic", () => {
    const f = (s: string, want: number) => expect(parseBestEffort(new TextEncoder().encode(s), 0, s.length)).toBe(want);
    f("", 0);
    f("-", 0);
    f("0.1", 0.1);
    f("-0", -0);
    f("123456.789e-3", 123456.789 * goPow10(-3));
    f("1.5E+2", 150);
    f("1e", 0);
    f("1e+", 0);
    f("1.5x", 0);
    f(".e1", 0);
    f("9007199254740993", 9007199254740992);
    f("1e301", Number("1e301"));
    f("1e-320", 1e-320);
    f("nan1", 0);
  });

  test("goPow10", () => {
    const f = (n: number, want: number) => expect(goPow10(n)).toBe(want);
    f(0, 1);
    f(22, 1e22);
    f(308, 1e288 * 1e20);
    f(309, Infinity);
    f(-3, 1 / 1000);
    f(-323, 1e-320 / 1e3);
    f(-324, 0);
  });
});
