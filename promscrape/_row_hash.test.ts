import { describe, expect, test } from "bun:test";
import { PromLineScanner } from "../protocols/prometheus/parse.ts";
import { rowHash } from "./_row_hash.ts";
import { hash64, hashHi } from "./_series_set.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** The row hash of the one sample line `line`. */
function h(line: string): string {
  const b = enc(`${line}\n`);
  const sc = new PromLineScanner();
  sc.reset(b);
  if (!sc.next(() => {})) throw new Error(`not a sample line: ${line}`);
  const dv = new DataView(b.buffer);
  return `${rowHash(b, dv, sc)},${hashHi}`;
}

function raw(key: string): string {
  const b = enc(key);
  return `${hash64(b, new DataView(b.buffer), 0, b.length)},${hashHi}`;
}

describe("rowHash()", () => {
  test("a key in the usual form hashes as its raw bytes", () => {
    const f = (line: string, key: string) => expect(h(line)).toBe(raw(key));
    f("m 1", "m");
    f("m 1 1700000000000", "m");
    f('m{a="1"} 1', 'm{a="1"}');
    f('m{a="1",b="x y"} 1', 'm{a="1",b="x y"}');
    f('m{a=""} 1', 'm{a=""}');
    // The escapes vmagent writes back as they are.
    f('m{a="x\\\\y\\"z\\n"} 1', 'm{a="x\\\\y\\"z\\n"}');
  });

  test("the same parsed row in another form is the same row (vmagent's marshalMetricNameWithTags)", () => {
    const f = (a: string, b: string) => expect(h(a)).toBe(h(b));
    f('m{a="1",} 1', 'm{a="1"} 1');
    f('m{ a = "1" , b="2" } 1', 'm{a="1",b="2"} 2');
    f('m {a="1"} 1', 'm{a="1"} 1');
    f("m{} 1", "m 1");
    f("m{ } 1", "m 1");
    f("  m 1", "m 1");
    f('m{="x",a="1"} 1', 'm{a="1"} 1');
    // Go's unescapeValue keeps an unknown escape: `\t` is the two bytes `\` `t`, as `\\t` is.
    f('m{a="\\t"} 1', 'm{a="\\\\t"} 1');
  });

  test("different rows differ: values, names, label order", () => {
    const rows = [
      "m 1",
      "n 1",
      'm{a="1"} 1',
      'm{a="2"} 1',
      'm{b="1"} 1',
      'm{a="1",b="2"} 1',
      'm{b="2",a="1"} 1',
      'm{a="\\n"} 1',
      'm{a="n"} 1',
      'm{a="\\\\"} 1',
      'm{a="\\""} 1',
      'm{a="1,b=\\"2"} 1',
    ];
    expect(new Set(rows.map(h)).size).toBe(rows.length);
  });
});
