/**
 * Line and tag splitting for the line protocols that parse a whole body
 * (Graphite, OpenTSDB telnet): "\n" ends a line, a "\r" before it is
 * dropped, the last line needs no "\n"; a tag `k=v` ends at a separator.
 * Calls, not callbacks, so the callers' loops stay monomorphic; second results
 * are module-level, as in the parsers.
 *
 * @module
 */

const NL = 0x0a;
const CR = 0x0d;
const EQ = 0x3d;

/** Where the line after the one found by the last lineEnd() starts. */
export let nextLine = 0;

/**
 * The end of the line starting at `pos` of `body` (which ends at `len`),
 * without its "\n" or "\r\n"; sets {@link nextLine}. Loop with
 * `for (let p = 0; p < len; p = nextLine) { const e = lineEnd(body, p, len); … }`.
 */
export function lineEnd(body: Uint8Array, pos: number, len: number): number {
  let end = body.indexOf(NL, pos);
  nextLine = end < 0 ? len : end + 1;
  if (end < 0) end = len;
  if (end > pos && body[end - 1] === CR) end--;
  return end;
}

/** Position of the first "=" in the token found by the last tokenEnd(), or -1. */
export let tokenEq = -1;

/** The end of the token starting at `p`: the first `sep` at or after it, or `end`; sets {@link tokenEq}. */
export function tokenEnd(s: Uint8Array, p: number, end: number, sep: number): number {
  let eq = -1;
  let e = p;
  for (; e < end; e++) {
    const c = s[e]!;
    if (c === sep) break;
    if (c === EQ && eq < 0) eq = e;
  }
  tokenEq = eq;
  return e;
}
