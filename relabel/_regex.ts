/**
 * Compiled RE2 regexes for relabeling, with the string fast paths of VictoriaMetrics'
 * `lib/regexutil`: literal (`foo`), alternation of literals (`foo|bar`), prefix (`foo.*`,
 * `foo.+`) and substring (`.*foo.*`) patterns are matched by string comparison. Other patterns
 * fall back to a JS RegExp whose results are cached per input string, as regexutil's
 * FastStringMatcher / FastStringTransformer do, because label values repeat across scrapes.
 *
 * Caches are owned by one compiled regex, bounded ({@linkcode CACHE_MAX} entries; cleared when
 * full) and hold references to the cached input strings until cleared.
 */

import { toJsRegExp } from "./_regex_emit.ts";
import { type ParsedRegex, parseRegex, type RegexNode } from "./_regex_syntax.ts";

/** Entries per cache before it is cleared. */
export const CACHE_MAX = 32_768;
const MAX_OR_VALUES = 100;

const MODE_EXACT = 0;
const MODE_DOT_STAR = 1;
const MODE_DOT_PLUS = 2;
const MODE_SUBSTR_STAR = 3;
const MODE_SUBSTR_PLUS = 4;
const MODE_OR = 5;
const MODE_REGEX = 6;

/** Removes all leading `^` and trailing unescaped `$`, like regexutil.RemoveStartEndAnchors. */
export function removeStartEndAnchors(expr: string): string {
  let start = 0;
  while (expr[start] === "^") start++;
  let end = expr.length;
  while (end > start && expr[end - 1] === "$" && !(end - 2 >= start && expr[end - 2] === "\\")) end--;
  return expr.slice(start, end);
}

function flatten(n: RegexNode, out: RegexNode[]): RegexNode[] {
  if (n.op === "cat") { for (const s of n.subs) flatten(s, out); }
  else if (n.op === "group") flatten(n.sub, out);
  else if (n.op !== "empty") out.push(n);
  return out;
}

function isDotRep(n: RegexNode | undefined, min: number): boolean {
  return n !== undefined && n.op === "rep" && n.min === min && n.max === -1 && n.sub.op === "any";
}

function isLiteral(n: RegexNode | undefined): n is { op: "lit"; cp: number; fold: false } {
  return n !== undefined && n.op === "lit" && !n.fold;
}

/** All strings a finite regex can match, or null when unknown or more than MAX_OR_VALUES. */
function orValues(nodes: readonly RegexNode[]): string[] | null {
  let acc = [""];
  for (const n of nodes) {
    const vs = orValuesNode(n);
    if (vs === null || acc.length * vs.length > MAX_OR_VALUES) return null;
    const next: string[] = [];
    for (const a of acc) for (const v of vs) next.push(a + v);
    acc = next;
  }
  return acc;
}

function orValuesNode(n: RegexNode): string[] | null {
  switch (n.op) {
    case "lit":
      return n.fold ? null : [String.fromCodePoint(n.cp)];
    case "empty":
      return [""];
    case "group":
      return orValuesNode(n.sub);
    case "cat":
      return orValues(n.subs);
    case "alt": {
      const out: string[] = [];
      for (const s of n.subs) {
        const vs = orValuesNode(s);
        if (vs === null || out.length + vs.length > MAX_OR_VALUES) return null;
        out.push(...vs);
      }
      return out;
    }
    case "class": {
      if (n.fold || n.neg || n.props !== "") return null;
      const out: string[] = [];
      for (let i = 0; i < n.ranges.length; i += 2) {
        for (let cp = n.ranges[i]!; cp <= n.ranges[i + 1]!; cp++) {
          if (out.length >= MAX_OR_VALUES) return null;
          out.push(String.fromCodePoint(cp));
        }
      }
      return out;
    }
    case "rep": {
      if (n.min !== 0 || n.max !== 1) return null;
      const vs = orValuesNode(n.sub);
      return vs === null ? null : ["", ...vs];
    }
    default:
      return null;
  }
}

/**
 * A regex matched against the whole string (implicitly `^(?:expr)$`), like regexutil.PromRegex.
 * `test` never allocates except when it adds a cache entry.
 */
export class PromRegex {
  /** The expression as given. */
  readonly source: string;
  /** Literal prefix every match starts with ("" when none). */
  readonly prefix: string;
  /** True when the regex matches every string (`.*`, `(.*)`, `^.*$`…). */
  readonly matchesAll: boolean;
  /** True when the regex is a plain literal equal to {@linkcode prefix}. */
  readonly isLiteral: boolean;
  readonly #mode: number;
  readonly #substr: string;
  readonly #values: readonly string[];
  readonly #set: ReadonlySet<string> | null;
  readonly #re: RegExp | null;
  readonly #cache = new Map<string, boolean>();

  /** @throws SyntaxError when `expr` is not a valid RE2 regex. */
  constructor(expr: string, parsed: ParsedRegex = parseRegex(expr)) {
    this.source = expr;
    const items = flatten(parsed.node, []);
    let i = 0;
    let prefix = "";
    while (isLiteral(items[i])) prefix += String.fromCodePoint((items[i++] as { cp: number }).cp);
    const rest = items.slice(i);
    this.prefix = prefix;
    let mode = MODE_REGEX;
    let substr = "";
    let values: string[] = [];
    if (rest.length === 1 && isDotRep(rest[0], 0)) mode = MODE_DOT_STAR;
    else if (rest.length === 1 && isDotRep(rest[0], 1)) mode = MODE_DOT_PLUS;
    else if (rest.length >= 3 && rest.slice(1, -1).every(isLiteral)) {
      substr = rest.slice(1, -1).map((n) => String.fromCodePoint((n as { cp: number }).cp)).join("");
      if (isDotRep(rest[0], 0) && isDotRep(rest.at(-1), 0)) mode = MODE_SUBSTR_STAR;
      else if (isDotRep(rest[0], 1) && isDotRep(rest.at(-1), 1)) mode = MODE_SUBSTR_PLUS;
    }
    if (mode === MODE_REGEX) {
      const ov = orValues(rest);
      if (ov !== null) {
        values = ov.map((v) => prefix + v);
        mode = values.length === 1 ? MODE_EXACT : MODE_OR;
      }
    }
    this.#mode = mode;
    this.#substr = substr;
    this.#values = values;
    this.#set = values.length > 8 ? new Set(values) : null;
    this.#re = mode === MODE_REGEX ? toJsRegExp(parsed, true) : null;
    this.matchesAll = mode === MODE_DOT_STAR && prefix === "";
    this.isLiteral = mode === MODE_EXACT && values[0] === prefix;
  }

  /** Reports whether the whole of `s` matches. */
  test(s: string): boolean {
    switch (this.#mode) {
      case MODE_EXACT:
        return s === this.#values[0];
      case MODE_OR: {
        if (this.#set !== null) return this.#set.has(s);
        const vs = this.#values;
        for (let i = 0; i < vs.length; i++) if (vs[i] === s) return true;
        return false;
      }
    }
    const prefix = this.prefix;
    if (prefix !== "" && !s.startsWith(prefix)) return false;
    switch (this.#mode) {
      case MODE_DOT_STAR:
        return true;
      case MODE_DOT_PLUS:
        return s.length > prefix.length;
      case MODE_SUBSTR_STAR:
        return s.includes(this.#substr, prefix.length);
      case MODE_SUBSTR_PLUS: {
        // The earliest occurrence after at least one char leaves the most room for the tail.
        const n = s.indexOf(this.#substr, prefix.length + 1);
        return n > 0 && n + this.#substr.length < s.length;
      }
    }
    const cache = this.#cache;
    let v = cache.get(s);
    if (v === undefined) {
      v = this.#re!.test(s);
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(s, v);
    }
    return v;
  }
}

const NAME_CHAR_RE = /[\p{L}\p{Nd}_]/u;

/**
 * A Go `regexp.Expand` template (`$1`, `${1}`, `$name`, `${name}`, `$$`), compiled once against
 * the group names of a regex. References to missing groups expand to "".
 */
export class Template {
  /** Literal strings and group indices (-1 = a group that never exists). */
  readonly parts: readonly (string | number)[];
  /** The expansion when the template has no group references, else null. */
  readonly literal: string | null;

  constructor(template: string, names: ReadonlyMap<string, number>) {
    const parts: (string | number)[] = [];
    let lit = "";
    let i = 0;
    while (i < template.length) {
      const d = template.indexOf("$", i);
      if (d < 0) break;
      lit += template.slice(i, d);
      i = d + 1;
      if (template[i] === "$") {
        lit += "$";
        i++;
        continue;
      }
      const brace = template[i] === "{";
      let j = brace ? i + 1 : i;
      while (j < template.length) {
        const cp = template.codePointAt(j)!;
        const ch = String.fromCodePoint(cp);
        if (!NAME_CHAR_RE.test(ch)) break;
        j += ch.length;
      }
      const name = template.slice(brace ? i + 1 : i, j);
      if (name === "" || (brace && template[j] !== "}")) {
        lit += "$"; // malformed: the "$" is literal text
        continue;
      }
      i = brace ? j + 1 : j;
      if (lit !== "") parts.push(lit);
      lit = "";
      parts.push(groupIndex(name, names));
    }
    lit += template.slice(i);
    if (lit !== "") parts.push(lit);
    this.parts = parts;
    this.literal = parts.length === 0 ? "" : parts.length === 1 && typeof parts[0] === "string" ? parts[0] : null;
  }

  /** Expands the template with the groups of `m` (a RegExp match). */
  expand(m: RegExpExecArray): string {
    if (this.literal !== null) return this.literal;
    const parts = this.parts;
    let out = "";
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      out += typeof p === "string" ? p : (p >= 0 ? (m[p] ?? "") : "");
    }
    return out;
  }
}

/** Go semantics: all-digit names are indices (no leading zeros, below 1e8), others are names. */
function groupIndex(name: string, names: ReadonlyMap<string, number>): number {
  if (/^\d+$/.test(name) && !(name[0] === "0" && name.length > 1) && name.length <= 8) return Number(name);
  return names.get(name) ?? -1;
}

/**
 * The regex of one relabeling rule: the whole-string matcher plus the capture-group machinery
 * for `replacement` templates. Not shared between rules (each has its own caches).
 */
export class RelabelRegex {
  readonly matcher: PromRegex;
  readonly parsed: ParsedRegex;
  readonly #anchored: RegExp;
  #global: RegExp | null = null;
  readonly #fullCache = new Map<string, string>();
  readonly #allCache = new Map<string, string>();

  /**
   * For `literal(.*)` (1) or `literal(.+)` (2) with no other group, the whole-string `$1` is
   * just the text after the prefix; 0 otherwise.
   */
  readonly suffixGroup: number;

  /**
   * `expr` must already have anchors removed where the action wants them removed.
   * @throws SyntaxError when `expr` is not a valid RE2 regex.
   */
  constructor(expr: string) {
    this.parsed = parseRegex(expr);
    this.matcher = new PromRegex(expr, this.parsed);
    this.#anchored = toJsRegExp(this.parsed, true);
    const n = this.parsed.node;
    const subs = n.op === "cat" ? n.subs : [n];
    const last = subs.at(-1);
    let suffixGroup = 0;
    if (this.parsed.groups === 1 && last?.op === "group" && last.cap === 1 && subs.slice(0, -1).every(isLiteral)) {
      if (isDotRep(last.sub, 0)) suffixGroup = 1;
      else if (isDotRep(last.sub, 1)) suffixGroup = 2;
    }
    this.suffixGroup = suffixGroup;
  }

  /** Compiles a replacement template against this regex's group names. */
  template(s: string): Template {
    return new Template(s, this.parsed.names);
  }

  /**
   * If the whole of `s` matches, returns `t` expanded with its groups; else returns `s`.
   * `cached` must only be set for the rule's own fixed template.
   */
  replaceFull(s: string, t: Template, cached: boolean): string {
    if (!cached) return this.#replaceFullSlow(s, t);
    let v = this.#fullCache.get(s);
    if (v === undefined) {
      v = this.#replaceFullSlow(s, t);
      if (this.#fullCache.size >= CACHE_MAX) this.#fullCache.clear();
      this.#fullCache.set(s, v);
    }
    return v;
  }

  #replaceFullSlow(s: string, t: Template): string {
    if (t.literal !== null) return this.#anchored.test(s) ? t.literal : s;
    const m = this.#anchored.exec(s);
    return m === null ? s : t.expand(m);
  }

  /**
   * Replaces every non-overlapping match in `s` (unanchored) with `t`, like Go's
   * `Regexp.ReplaceAllString`, which differs from JS `replace` for empty matches right after a
   * match. Results are cached per input string.
   */
  replaceAll(s: string, t: Template): string {
    let v = this.#allCache.get(s);
    if (v !== undefined) return v;
    const re = (this.#global ??= toJsRegExp(this.parsed, false, "g"));
    let out = "";
    let lastEnd = 0;
    let pos = 0;
    while (pos <= s.length) {
      re.lastIndex = pos;
      const m = re.exec(s);
      if (m === null) break;
      const start = m.index;
      const end = start + m[0].length;
      out += s.slice(lastEnd, start);
      if (end > lastEnd || start === 0) out += t.expand(m);
      lastEnd = end;
      // Advance past this match, by at least one code point.
      const width = pos < s.length ? (s.codePointAt(pos)! > 0xffff ? 2 : 1) : 1;
      pos = pos + width > end ? pos + width : end;
    }
    v = out + s.slice(lastEnd);
    if (this.#allCache.size >= CACHE_MAX) this.#allCache.clear();
    this.#allCache.set(s, v);
    return v;
  }
}
