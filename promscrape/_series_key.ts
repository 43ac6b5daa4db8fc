/**
 * Series keys of scraped series: the labels as one string of
 * length-prefixed names and values. Unambiguous whatever the strings
 * contain, comparable against label arrays without allocating, and
 * decodable back into labels when a series vanishes and needs a stale
 * marker (promscrape/scrape_process.ts).
 *
 * @module
 */

import type { SeriesSink } from "../protocols/_shared/series_writer.ts";

/** One-char strings for small lengths: most key prefixes cost no allocation. */
const SMALL_LEN: string[] = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

function lenPrefix(n: number): string {
  if (n < 256) return SMALL_LEN[n]!;
  return n < 0xffff ? String.fromCharCode(n) : String.fromCharCode(0xffff, n >>> 16, n & 0xffff);
}

/**
 * The identity of a series: its labels in order, each name and value
 * length-prefixed (one char, or 0xFFFF and two chars for 65535 and more).
 * Unambiguous whatever the strings hold, so the labels of a vanished series
 * are decoded back from its key ({@linkcode writeKeyStale}) instead of being
 * kept as objects.
 */
export function keyOf(names: readonly string[], values: readonly string[], from: number, to: number): string {
  let k = "";
  for (let i = from; i < to; i++) {
    const n = names[i]!;
    const v = values[i]!;
    k += lenPrefix(n.length) + n + lenPrefix(v.length) + v;
  }
  return k;
}

/** Reads a length prefix at `p` of `key`; returns the length, advances `pos[0]`. */
function readLen(key: string, pos: number[]): number {
  const p = pos[0]!;
  const c = key.charCodeAt(p);
  if (c !== 0xffff) {
    pos[0] = p + 1;
    return c;
  }
  pos[0] = p + 3;
  return key.charCodeAt(p + 1) * 65536 + key.charCodeAt(p + 2);
}

const keyPos = [0];

/** Whether `key` is the key of labels `[from, to)` (see {@linkcode keyOf}); allocates nothing. */
export function keyMatches(
  key: string,
  names: readonly string[],
  values: readonly string[],
  from: number,
  to: number,
): boolean {
  let p = 0;
  for (let i = from; i < to; i++) {
    for (let j = 0; j < 2; j++) {
      const s = j === 0 ? names[i]! : values[i]!;
      const n = s.length;
      if (n < 0xffff) {
        if (key.charCodeAt(p) !== n) return false;
        p++;
      } else {
        if (
          key.charCodeAt(p) !== 0xffff || key.charCodeAt(p + 1) !== n >>> 16 || key.charCodeAt(p + 2) !== (n & 0xffff)
        ) return false;
        p += 3;
      }
      if (!key.startsWith(s, p)) return false;
      p += n;
    }
  }
  return p === key.length;
}

/** Writes a stale marker for the series whose key is `key` (see {@linkcode keyOf}). */
export function writeKeyStale(w: SeriesSink, key: string, ts: number): void {
  w.begin();
  keyPos[0] = 0;
  while (keyPos[0]! < key.length) {
    const nl = readLen(key, keyPos);
    const ns: number = keyPos[0]!;
    const name = key.slice(ns, ns + nl);
    keyPos[0] = ns + nl;
    const vl = readLen(key, keyPos);
    const vs: number = keyPos[0]!;
    keyPos[0] = vs + vl;
    w.label(name, key.slice(vs, vs + vl));
  }
  w.staleSample(ts);
  w.end();
}
