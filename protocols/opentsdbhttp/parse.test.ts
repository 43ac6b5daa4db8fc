import { expect, test } from "bun:test";
import { testContext, written } from "../_shared/testing.ts";
import { ParseError } from "../_shared/protocol.ts";
import { unescape } from "./json_tape.ts";
import { parseOpenTSDBHTTP } from "./parse.ts";

const NOW_MS = 1_700_000_000_789;
const NOW = 1_700_000_000_000; // the current second in ms

function run(input: string, trimTimestampMs = 1): { series: string[]; invalid: number } {
  const t = testContext(NOW_MS);
  parseOpenTSDBHTTP(new TextEncoder().encode(input), t.ctx, { trimTimestampMs });
  return written(t);
}

/** A row object with the given fields (raw JSON fragments). */
const row = (fields: string) => `{${fields}}`;

test("parseOpenTSDBHTTP: objects and arrays", () => {
  const f = (input: string, series: string[], invalid = 0) => expect(run(input)).toEqual({ series, invalid });
  f('{"metric":"sys.cpu.nice","timestamp":1346846400,"value":18,"tags":{"host":"web01","dc":"lga"}}', [
    '__name__="sys.cpu.nice",host="web01",dc="lga" 18@1346846400000',
  ]);
  f('[{"metric":"a","value":1,"timestamp":1},{"metric":"b","value":2.5,"timestamp":2}]', [
    '__name__="a" 1@1000',
    '__name__="b" 2.5@2000',
  ]);
  f("[]", []);
  f("{}", [], 1);
  f(" \t\r\n[ ] \n", []);
  // Neither object nor array: one invalid row, no error.
  f("123", [], 1);
  f('"str"', [], 1);
  f("null", [], 1);
  // Array items that are not objects are invalid rows.
  f('[1,"x",[],null,{"metric":"ok","value":1,"timestamp":5}]', ['__name__="ok" 1@5000'], 4);
});

test("parseOpenTSDBHTTP: fields", () => {
  const f = (input: string, series: string[], invalid = 0) => expect(run(input)).toEqual({ series, invalid });
  // Strings holding numbers; the fastfloat rules for both.
  f(row('"metric":"m","value":"2.5","timestamp":"1700000001"'), ['__name__="m" 2.5@1700000001000']);
  f(row('"metric":"m","value":"0.00","timestamp":"1.7e9"'), ['__name__="m" 0@1700000000000']);
  f(row('"metric":"m","value":"-Inf","timestamp":1'), ['__name__="m" -Infinity@1000']);
  f(row('"metric":"m","value":NaN,"timestamp":1'), ['__name__="m" NaN@1000']);
  f(row('"metric":"m","value":nan,"timestamp":1'), ['__name__="m" NaN@1000']);
  f(row('"metric":"m","value":+inf,"timestamp":1'), ['__name__="m" Infinity@1000']);
  f(row('"metric":"m","value":-inf,"timestamp":1'), ['__name__="m" -Infinity@1000']);
  // Missing or 0 timestamp: now, in seconds.
  f(row('"metric":"m","value":1'), [`__name__="m" 1@${NOW}`]);
  f(row('"metric":"m","value":1,"timestamp":0'), [`__name__="m" 1@${NOW}`]);
  f(row('"metric":"m","value":1,"timestamp":"0"'), [`__name__="m" 1@${NOW}`]);
  // Seconds below 2^32, milliseconds above; negative values are milliseconds.
  f(row('"metric":"m","value":1,"timestamp":4294967295'), ['__name__="m" 1@4294967295000']);
  f(row('"metric":"m","value":1,"timestamp":4294967296'), ['__name__="m" 1@4294967296']);
  f(row('"metric":"m","value":1,"timestamp":1700000000123.9'), ['__name__="m" 1@1700000000123']);
  f(row('"metric":"m","value":1,"timestamp":1700000000.999'), ['__name__="m" 1@1700000000000']);
  f(row('"metric":"m","value":1,"timestamp":-1'), ['__name__="m" 1@-1']);
  // Go int64() of NaN and huge values is -2^63, which is "seconds" and wraps to 0 when ×1000.
  f(row('"metric":"m","value":1,"timestamp":NaN'), ['__name__="m" 1@0']);
  f(row('"metric":"m","value":1,"timestamp":1e30'), ['__name__="m" 1@0']);
  f(row('"metric":"m","value":1,"timestamp":-9223372036854775808'), ['__name__="m" 1@0']);
  // Duplicate fields: the first wins; unused fields are not checked.
  f(row('"metric":"a","metric":"b","value":1,"value":2,"timestamp":1,"x":1.2.3e+-'), ['__name__="a" 1@1000']);
  // Escaped keys match once a lookup missed the raw keys (fastjson's Object.Get).
  f(row('"met\\u0072ic":"esc","value":1,"timestamp":1'), ['__name__="esc" 1@1000']);
  f(row('"metric":"k","val\\u0075e":2,"value":3,"timestamp":1'), ['__name__="k" 3@1000']);
  f(row('"metric":"k","timestamp":1,"val\\u0075e":2'), ['__name__="k" 2@1000']);
  // Strings: escapes, raw control characters, UTF-8.
  f(row('"metric":"j_\\u00e9\\n\\ud83d\\ude00\\q\\/","value":1,"timestamp":1'), ['__name__="j_é\\n😀\\\\q/" 1@1000']);
  f(row('"metric":"a\tb\nc","value":1,"timestamp":1'), ['__name__="a\\tb\\nc" 1@1000']);
});

test("parseOpenTSDBHTTP: tags", () => {
  const f = (tags: string, series: string[], invalid = 0) =>
    expect(run(row(`"metric":"m","value":1,"timestamp":1,"tags":${tags}`))).toEqual({ series, invalid });
  f("{}", ['__name__="m" 1@1000']);
  f('{"":"x","y":"","z":"w"}', ['__name__="m",z="w" 1@1000']);
  f('{"a":"b","a":"c"}', ['__name__="m",a="b",a="c" 1@1000']);
  f('{"k\\u0041":"v\\ud83d\\ude00\\x"}', ['__name__="m",kA="v😀\\\\x" 1@1000']);
  f('{"a":1}', [], 1);
  f('{"a":"b","c":null}', [], 1);
  f('{"":1}', [], 1);
  f('{"a":{"b":"c"}}', [], 1);
  f("[]", [], 1);
  f("null", [], 1);
  f('"a=b"', [], 1);
});

test("parseOpenTSDBHTTP: invalid rows are skipped", () => {
  const f = (fields: string) =>
    expect(run(`[${row(fields)},{"metric":"ok","value":1,"timestamp":1}]`)).toEqual({
      series: ['__name__="ok" 1@1000'],
      invalid: 1,
    });
  f('"value":1');
  f('"metric":"","value":1');
  f('"metric":5,"value":1');
  f('"metric":null,"value":1');
  f('"metric":"m"');
  f('"metric":"m","value":null');
  f('"metric":"m","value":true');
  f('"metric":"m","value":"abc"');
  f('"metric":"m","value":"1.5abc"');
  f('"metric":"m","value":""');
  f('"metric":"m","value":" 1"');
  f('"metric":"m","value":+5');
  f('"metric":"m","value":.5');
  f('"metric":"m","value":1.');
  f('"metric":"m","value":1-2');
  f('"metric":"m","value":1,"timestamp":null');
  f('"metric":"m","value":1,"timestamp":"abc"');
  f('"metric":"m","value":1,"timestamp":true');
  f('"metric":"m","value":1,"timestamp":{}');
});

test("parseOpenTSDBHTTP: malformed JSON fails the request", () => {
  const f = (input: string, msg: string) => {
    expect(() => run(input)).toThrow(ParseError);
    expect(() => run(input)).toThrow(msg);
  };
  f("", "cannot parse empty string");
  f("   ", "cannot parse empty string");
  f("[", "missing ']'");
  f("{", "missing '}'");
  f('{"a"', "missing ':' after object key");
  f('{"a":', "cannot parse empty string");
  f('{"a":1', "unexpected end of object");
  f('{"a":1 "b":2}', "missing ',' after object value");
  f("[1 2]", "missing ',' after array value");
  f("[1,]", "unexpected char");
  f('{"a":1,}', "cannot find opening");
  f('{"a":"b', "missing closing");
  f('{"a":"b\\"}', "missing closing");
  f("{} x", "unexpected tail");
  f("tru", "unexpected value found");
  f('{"x":trueabc}', "missing ','");
  f('{"x":nul}', "unexpected value found");
  f('{"x":infinity}', "missing ','");
  f('{"x":-Infinity}', "missing ','");
  f("\ufeff{}", "unexpected char");
  f('{"x":1\u000b}', "missing ','");
  f("[".repeat(301) + "]".repeat(301), "too big depth");
  expect(run("[".repeat(300) + "]".repeat(300))).toEqual({ series: [], invalid: 1 }); // one item, an array
});

test("parseOpenTSDBHTTP: -opentsdbhttpTrimTimestamp", () => {
  const f = (ts: string, trim: number, want: string) =>
    expect(run(row(`"metric":"m","value":1,"timestamp":${ts}`), trim).series).toEqual([want]);
  f("1700000000123", 1, '__name__="m" 1@1700000000123');
  f("1700000000123", 1000, '__name__="m" 1@1700000000000');
  f("1700000059", 60_000, '__name__="m" 1@1700000040000');
});

test("unescape follows fastjson", () => {
  const f = (s: string, want: string) => expect(unescape(s)).toBe(want);
  f("plain", "plain");
  f('\\"\\\\\\/\\b\\f\\n\\r\\t', '"\\/\b\f\n\r\t');
  f("\\u0041\\u00e9\\u20ac", "Aé€");
  f("\\ud83d\\ude00", "😀");
  f("\\ud800x", "\\ud800x"); // lone high surrogate: verbatim
  f("\\udc00\\ud800", "\ufffd"); // a bad pair: U+FFFD for both
  f("\\ud800\\u0041", "\ufffd");
  f("\\ud800\\uZZZZ", "\\ud800\\uZZZZ");
  f("\\u12", "\\u12");
  f("\\uZZZZ", "\\uZZZZ");
  f("\\x\\", "\\x\\");
});

test("parseOpenTSDBHTTP: large arrays", () => {
  const items = Array.from(
    { length: 50_000 },
    (_, i) => `{"metric":"m${i % 10}","value":${i},"timestamp":${1_700_000_000 + i},"tags":{"host":"h${i % 7}"}}`,
  );
  expect(run(`[${items.join(",")}]`).series.length).toBe(50_000);
});
