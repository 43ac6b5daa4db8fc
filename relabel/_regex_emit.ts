/**
 * Emits a JS RegExp from a parsed RE2 tree (see `_regex_syntax.ts` for the differences it
 * bridges). Sources always carry the `u` flag; `(?i)` scopes become `i` modifiers (`(?i:…)`),
 * or the global `i` flag when the whole pattern is case-insensitive.
 */

import type { ParsedRegex, RegexNode } from "./_regex_syntax.ts";

function cpToJs(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f) {
    return String.fromCharCode(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

/** True when every literal and class in the tree is case-folded, so `i` can be a global flag. */
function allFolded(n: RegexNode): boolean | null {
  switch (n.op) {
    case "lit":
    case "class":
      return n.fold;
    case "group":
    case "rep":
      return allFolded(n.sub);
    case "cat":
    case "alt": {
      let res: boolean | null = null;
      for (const s of n.subs) {
        const r = allFolded(s);
        if (r === false) return false;
        if (r === true) res = true;
      }
      return res;
    }
    default:
      return null;
  }
}

/**
 * Emits a JS RegExp equivalent to `parsed`, anchored as `^(?:…)$` when `anchored`.
 * Capture group numbering is preserved.
 */
export function toJsRegExp(parsed: ParsedRegex, anchored: boolean, extraFlags = ""): RegExp {
  const globalFold = allFolded(parsed.node) === true;
  const emit = (n: RegexNode): string => {
    switch (n.op) {
      case "lit":
        return n.fold !== globalFold ? `(?${n.fold ? "" : "-"}i:${cpToJs(n.cp)})` : cpToJs(n.cp);
      case "any":
        return n.nl ? "[^]" : "[^\\n]";
      case "class": {
        let body = "";
        for (let i = 0; i < n.ranges.length; i += 2) {
          const lo = n.ranges[i]!;
          const hi = n.ranges[i + 1]!;
          body += lo === hi ? cpToJs(lo) : `${cpToJs(lo)}-${cpToJs(hi)}`;
        }
        const cls = `[${n.neg ? "^" : ""}${body}${n.props}]`;
        return n.fold !== globalFold ? `(?${n.fold ? "" : "-"}i:${cls})` : cls;
      }
      case "assert":
        return n.js;
      case "group":
        return n.cap > 0 ? `(${emit(n.sub)})` : `(?:${emit(n.sub)})`;
      case "rep": {
        const s = n.sub;
        const atom = s.op === "lit" || s.op === "any" || s.op === "class" || s.op === "group"
          ? emit(s)
          : `(?:${emit(s)})`;
        const q = n.min === 0 && n.max === -1
          ? "*"
          : n.min === 1 && n.max === -1
          ? "+"
          : n.min === 0 && n.max === 1
          ? "?"
          : n.max === -1
          ? `{${n.min},}`
          : n.min === n.max
          ? `{${n.min}}`
          : `{${n.min},${n.max}}`;
        return atom + q + (n.greedy ? "" : "?");
      }
      case "cat":
        return n.subs.map(emit).join("");
      case "alt":
        return n.subs.map(emit).join("|");
      case "empty":
        return "";
    }
  };
  const body = emit(parsed.node);
  return new RegExp(anchored ? `^(?:${body})$` : body, `u${globalFold ? "i" : ""}${extraFlags}`);
}
