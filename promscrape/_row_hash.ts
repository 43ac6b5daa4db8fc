/**
 * The identity of a scraped row, as vmagent 1.79 compares two responses of a
 * target for `scrape_series_added` and stale markers
 * (lib/protoparser/prometheus/parser.go, GetRowsDiff): the key of the parsed
 * row (marshalMetricNameWithTags), not the bytes the target sent. The metric
 * name, then the labels in the order they came, values unescaped and escaped
 * again; blanks, a trailing comma, `{}` and labels with an empty name do not
 * count, so `m{a="1",}` and `m{ a = "1" }` are the same row as `m{a="1"}`.
 *
 * Rows almost always arrive in that form already: then the raw key bytes are
 * hashed in place (a length check finds out). Only other rows are rebuilt in
 * a worker-wide buffer first.
 *
 * @module
 */

import type { PromLineScanner } from "../protocols/prometheus/parse.ts";
import { hash64 } from "./_series_set.ts";

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

let canon = new Uint8Array(1024);
let canonView = new DataView(canon.buffer);

/**
 * hash64() of the key of the current row of `sc` (`dv` views `src`, the
 * scanner's source) in vmagent's form: returns the low half and sets
 * hashHi, as hash64() does.
 */
export function rowHash(src: Uint8Array, dv: DataView, sc: PromLineScanner): number {
  const a = sc.lineStart;
  const n = sc.nLabels;
  // The key's length in vmagent's form: name, then `{`, `k="v"` joined by commas, `}`.
  let len = sc.metricEnd - a;
  if (n > 0) {
    len += 4 * n + 1;
    for (let i = 0; i < n; i++) len += sc.nameEnd[i]! - sc.nameStart[i]! + sc.valueEnd[i]! - sc.valueStart[i]!;
  }
  // Anything beyond those parts (blanks, a trailing comma, `{}`) makes the raw key longer.
  if (!sc.escaped && sc.keyEnd - a === len) return hash64(src, dv, a, sc.keyEnd);
  return canonicalHash(src, sc);
}

function canonicalHash(src: Uint8Array, sc: PromLineScanner): number {
  const a = sc.lineStart;
  const n = sc.nLabels;
  // An escape grows by at most one byte in 2 (`\t` becomes `\\t`).
  const need = 2 * (sc.keyEnd - a) + 4 * n + 2;
  if (canon.length < need) {
    canon = new Uint8Array(need * 2);
    canonView = new DataView(canon.buffer);
  }
  const out = canon;
  let p = 0;
  for (let i = a; i < sc.metricEnd; i++) out[p++] = src[i]!;
  if (n > 0) {
    out[p++] = 0x7b; // {
    for (let l = 0; l < n; l++) {
      if (l > 0) out[p++] = 0x2c; // ,
      for (let i = sc.nameStart[l]!; i < sc.nameEnd[l]!; i++) out[p++] = src[i]!;
      out[p++] = 0x3d; // =
      out[p++] = QUOTE;
      const ve = sc.valueEnd[l]!;
      for (let i = sc.valueStart[l]!; i < ve; i++) {
        const c = src[i]!;
        if (c !== BACKSLASH) {
          out[p++] = c;
          continue;
        }
        // Go's unescapeValue keeps an unknown escape `\x` as is, and escaping it again doubles its backslash.
        const x = src[++i]!;
        out[p++] = BACKSLASH;
        if (x !== BACKSLASH && x !== QUOTE && x !== 0x6e) out[p++] = BACKSLASH;
        out[p++] = x;
      }
      out[p++] = QUOTE;
    }
    out[p++] = 0x7d; // }
  }
  return hash64(out, canonView, 0, p);
}
