/**
 * Test helpers: hand-built protobuf bytes for WriteRequests with unusual
 * fields (unknown fields, groups, metadata), and a strict check that bytes
 * are a canonical WriteRequest (only series → labels and samples). Used by
 * decode_unknown.test.ts and tests/push_fidelity.test.ts.
 *
 * @module
 */
import { expect } from "bun:test";

const enc = new TextEncoder();

export function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
export const field = (num: number, wt: number) => varint(num * 8 + wt);
export const bytesField = (num: number, b: number[]) => [...field(num, 2), ...varint(b.length), ...b];
export const str = (num: number, s: string) => bytesField(num, [...enc.encode(s)]);
export const f64 = (v: number) => [...new Uint8Array(new Float64Array([v]).buffer)];
export const STALE = [0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f];
/** A group (wire types 3 and 4) holding a varint and a nested group. */
export const group = (
  num: number,
) => [...field(num, 3), ...field(1, 0), 5, ...field(2, 3), ...field(2, 4), ...field(num, 4)];

export const label = (n: string, v: string, extra: number[] = []) =>
  bytesField(1, [...str(1, n), ...extra, ...str(2, v)]);
export const sample = (valueBytes: number[], ts: number, extra: number[] = []) =>
  bytesField(2, [...extra, ...field(1, 1), ...valueBytes, ...field(2, 0), ...varint(ts)]);

/** Checks that `b` is a WriteRequest with only timeseries → labels (name, value) and samples (value, timestamp). */
export function assertCanonical(b: Uint8Array): void {
  const read = (p: number): [number, number] => {
    let n = 0;
    for (let mul = 1;; mul *= 128) {
      const x = b[p++]!;
      n += (x & 0x7f) * mul;
      if (x < 0x80) return [n, p];
    }
  };
  const walk = (p: number, end: number, allowed: Record<number, ((s: number, e: number) => void) | null>) => {
    while (p < end) {
      const [t, q] = read(p);
      expect(Object.keys(allowed).map(Number)).toContain(t);
      p = q;
      if ((t & 7) === 2) {
        const [len, r] = read(p);
        allowed[t]?.(r, r + len);
        p = r + len;
      } else if ((t & 7) === 1) p += 8;
      else p = read(p)[1];
    }
  };
  walk(0, b.length, {
    0x0a: (s, e) =>
      walk(s, e, {
        0x0a: (ls, le) => walk(ls, le, { 0x0a: null, 0x12: null }),
        0x12: (ss, se) => walk(ss, se, { 0x09: null, 0x10: null }),
      }),
  });
}

/**
 * A WriteRequest with two series (`name1`: 2 samples, the second a stale
 * marker; `name2`: 1 sample at `t0`) plus unknown fields and groups at every
 * level and a metadata entry. `series2` is the clean second series' bytes.
 */
export function uncleanWriteRequest(
  name1 = "m1",
  name2 = "m2",
  t0 = 1_700_000_000_000,
): { body: Uint8Array; series2: number[]; metadata: number[] } {
  const series1 = bytesField(1, [
    ...label("__name__", name1, [...field(3, 0), 7]), // unknown Label field
    ...field(9, 5),
    1,
    2,
    3,
    4, // unknown TimeSeries fixed32
    ...label("job", "j"),
    ...sample(f64(1.5), t0, str(7, "junk")), // unknown Sample field before the value
    ...sample(STALE, t0 + 1000, group(5)), // a group inside a Sample
    ...group(6), // a group inside the TimeSeries
  ]);
  const series2 = bytesField(1, [...label("__name__", name2), ...sample(f64(-2), t0)]);
  const metadata = bytesField(3, [...field(1, 0), 1, ...str(2, name1), ...str(4, "help")]);
  const body = new Uint8Array([...series1, ...group(8), ...field(15, 0), 42, ...metadata, ...series2]);

  return { body, series2, metadata };
}
