/**
 * Line splitting for the line protocols that parse a whole body (Graphite,
 * OpenTSDB telnet): "\n" ends a line, a "\r" before it is dropped, the last
 * line needs no "\n". A call, not a callback, so the caller's loop stays
 * monomorphic; the second result is module-level, as in the parsers.
 *
 * @module
 */

const NL = 0x0a;
const CR = 0x0d;

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
