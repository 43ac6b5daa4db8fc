/**
 * The `if` filter of a relabeling rule: one or more MetricsQL series selectors such as
 * `foo{job=~"a|b",env!="dev"}` or `{__name__=~"x.*" or instance="y"}`, OR-ed together, as in
 * VictoriaMetrics' `lib/promrelabel/if_expression.go`.
 */

import { PromRegex, removeStartEndAnchors } from "./_regex.ts";
import type { Labels } from "./labels.ts";

const OP_EQ = 0;
const OP_NEQ = 1;
const OP_RE = 2;
const OP_NRE = 3;

interface LabelFilter {
  readonly name: string;
  readonly op: number;
  readonly value: string;
  readonly re: PromRegex | null;
}

/**
 * A compiled `if` expression. Immutable; safe to share between rules and callers.
 * An empty selector list matches everything.
 */
export class SeriesSelector {
  /** The selector strings as written, for display. */
  readonly sources: readonly string[];
  /** OR of AND-groups of label filters. */
  readonly #groups: readonly (readonly LabelFilter[])[];

  constructor(sources: readonly string[], groups: readonly (readonly LabelFilter[])[]) {
    this.sources = sources;
    this.#groups = groups;
  }

  /** Reports whether `labels` match at least one of the selectors. */
  match(labels: Labels): boolean {
    const groups = this.#groups;
    if (groups.length === 0) return true;
    outer: for (let g = 0; g < groups.length; g++) {
      const filters = groups[g]!;
      for (let i = 0; i < filters.length; i++) if (!matchFilter(filters[i]!, labels)) continue outer;
      return true;
    }
    return false;
  }

  toString(): string {
    return this.sources.length === 1 ? this.sources[0]! : JSON.stringify(this.sources);
  }
}

function matchFilter(f: LabelFilter, labels: Labels): boolean {
  const names = labels.names;
  const values = labels.values;
  const n = labels.length;
  let found = false;
  let hit = false;
  if (f.op === OP_EQ || f.op === OP_NEQ) {
    for (let i = 0; i < n; i++) {
      if (names[i] !== f.name) continue;
      found = true;
      if (values[i] === f.value) {
        hit = true;
        break;
      }
      // A series has one metric name; VictoriaMetrics stops at the first __name__.
      if (f.name === "__name__") break;
    }
    // {missing=""} matches a series without the label, but {__name__=""} never matches.
    if (!found && f.name !== "__name__") hit = f.value === "";
    return f.op === OP_EQ ? hit : !hit;
  }
  const re = f.re!;
  for (let i = 0; i < n; i++) {
    if (names[i] !== f.name) continue;
    found = true;
    if (re.test(values[i]!)) {
      hit = true;
      break;
    }
  }
  if (!found) hit = re.test("");
  return f.op === OP_RE ? hit : !hit;
}

/**
 * Parses the `if` value of a rule: a selector string or a list of them (OR-ed).
 * @throws TypeError when `value` is neither; SyntaxError when a selector cannot be parsed.
 */
export function parseSeriesSelector(value: unknown): SeriesSelector {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) {
    throw new TypeError(`Cannot parse "if": got ${describe(value)}; want a string or a list of strings`);
  }
  const groups: LabelFilter[][] = [];
  const sources: string[] = [];
  for (const item of list) {
    if (typeof item !== "string") {
      throw new TypeError(`Cannot parse "if" item: got ${describe(item)}; want a string`);
    }
    sources.push(item);
    groups.push(...new SelectorParser(item).parse());
  }
  return new SeriesSelector(sources, groups);
}

function describe(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a map" : JSON.stringify(v);
}

const FIRST_IDENT_RE = /[\p{L}_:]/u;
const IDENT_RE = /[\p{L}_:0-9.]/u;

class SelectorParser {
  readonly #s: string;
  #pos = 0;

  constructor(s: string) {
    this.#s = s;
  }

  #fail(reason: string): never {
    throw new SyntaxError(`Cannot parse series selector ${JSON.stringify(this.#s)}: ${reason}`);
  }

  #ws(): void {
    while (this.#pos < this.#s.length && " \t\n\r\v\f".includes(this.#s[this.#pos]!)) this.#pos++;
    if (this.#s[this.#pos] === "#") {
      // MetricsQL comments run to the end of the line.
      const nl = this.#s.indexOf("\n", this.#pos);
      this.#pos = nl < 0 ? this.#s.length : nl;
      this.#ws();
    }
  }

  parse(): LabelFilter[][] {
    this.#ws();
    let metric: string | null = null;
    if (this.#isIdentStart()) metric = this.#ident();
    this.#ws();
    let groups: LabelFilter[][] = [[]];
    if (this.#s[this.#pos] === "{") {
      this.#pos++;
      groups = this.#filters();
    } else if (metric === null) {
      this.#fail('expecting a metric name or "{"');
    }
    this.#ws();
    if (this.#pos < this.#s.length) {
      this.#fail(`unexpected ${JSON.stringify(this.#s.slice(this.#pos, this.#pos + 10))}; expecting a series selector`);
    }
    if (metric !== null) {
      const f: LabelFilter = { name: "__name__", op: OP_EQ, value: metric, re: null };
      for (const g of groups) g.unshift(f);
    }
    return groups;
  }

  /** Filters after "{", up to and including "}". */
  #filters(): LabelFilter[][] {
    const groups: LabelFilter[][] = [[]];
    for (;;) {
      this.#ws();
      const c = this.#s[this.#pos];
      if (c === undefined) this.#fail('missing "}"');
      if (c === "}") {
        this.#pos++;
        break;
      }
      const cur = groups[groups.length - 1]!;
      if (cur.length > 0) {
        if (c === ",") {
          this.#pos++;
          this.#ws();
          if (this.#s[this.#pos] === "}") continue;
        } else if (/^or\b/i.test(this.#s.slice(this.#pos, this.#pos + 3))) {
          this.#pos += 2;
          groups.push([]);
          continue;
        } else {
          this.#fail(`unexpected ${JSON.stringify(c)} at position ${this.#pos}; expecting "," or "}"`);
        }
      }
      groups[groups.length - 1]!.push(this.#filter());
    }
    if (groups.length > 1) { for (const g of groups) if (g.length === 0) this.#fail('empty "or" branch'); }
    return groups;
  }

  #filter(): LabelFilter {
    this.#ws();
    let name: string;
    const c = this.#s[this.#pos];
    if (c === '"' || c === "'" || c === "`") {
      name = this.#string();
      this.#ws();
      const next = this.#s[this.#pos];
      if (next === "," || next === "}" || next === undefined) {
        // {"metric.name"}: a quoted metric name.
        return { name: "__name__", op: OP_EQ, value: name, re: null };
      }
    } else if (this.#isIdentStart()) {
      name = this.#ident();
    } else {
      this.#fail(`expecting a label name at position ${this.#pos}`);
    }
    this.#ws();
    const two = this.#s.slice(this.#pos, this.#pos + 2);
    let op: number;
    if (two === "=~") op = OP_RE;
    else if (two === "!~") op = OP_NRE;
    else if (two === "!=") op = OP_NEQ;
    else if (two[0] === "=") op = OP_EQ;
    else this.#fail(`expecting "=", "!=", "=~" or "!~" after ${JSON.stringify(name)}`);
    this.#pos += op === OP_EQ ? 1 : 2;
    this.#ws();
    const q = this.#s[this.#pos];
    if (q !== '"' && q !== "'" && q !== "`") this.#fail(`expecting a quoted value for ${JSON.stringify(name)}`);
    const value = this.#string();
    let re: PromRegex | null = null;
    if (op === OP_RE || op === OP_NRE) re = new PromRegex(removeStartEndAnchors(value));
    return { name, op, value, re };
  }

  #isIdentStart(): boolean {
    const c = this.#s[this.#pos];
    return c !== undefined &&
      (c === "\\" || FIRST_IDENT_RE.test(String.fromCodePoint(this.#s.codePointAt(this.#pos)!)));
  }

  #ident(): string {
    let out = "";
    const s = this.#s;
    while (this.#pos < s.length) {
      const ch = String.fromCodePoint(s.codePointAt(this.#pos)!);
      if (ch === "\\") {
        const esc = /^\\(?:[xX]([0-9a-fA-F]{2})|[uU]([0-9a-fA-F]{4})|([^]))/u.exec(s.slice(this.#pos, this.#pos + 6));
        if (esc === null) this.#fail("invalid escape sequence in identifier");
        out += esc[3] ?? String.fromCodePoint(parseInt(esc[1] ?? esc[2]!, 16));
        this.#pos += esc[0].length;
        continue;
      }
      if (!(out === "" ? FIRST_IDENT_RE : IDENT_RE).test(ch)) break;
      out += ch;
      this.#pos += ch.length;
    }
    return out;
  }

  /** A Go-style quoted string: "…" and '…' with escapes, `…` raw. */
  #string(): string {
    const s = this.#s;
    const q = s[this.#pos]!;
    const start = ++this.#pos;
    if (q === "`") {
      const end = s.indexOf("`", start);
      if (end < 0) this.#fail("unterminated string");
      this.#pos = end + 1;
      return s.slice(start, end);
    }
    let out = "";
    for (;;) {
      const c = s[this.#pos];
      if (c === undefined || c === "\n") this.#fail("unterminated string");
      this.#pos++;
      if (c === q) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = s[this.#pos++];
      const simple: Record<string, string> = {
        a: "\x07",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
        v: "\v",
        "\\": "\\",
        '"': '"',
        "'": "'",
      };
      if (e !== undefined && e in simple) {
        out += simple[e];
        continue;
      }
      const hexLen = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
      const digits = hexLen > 0 ? s.slice(this.#pos, this.#pos + hexLen) : s.slice(this.#pos - 1, this.#pos + 2);
      const ok = hexLen > 0 ? new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(digits) : /^[0-7]{3}$/.test(digits);
      const cp = parseInt(digits, hexLen > 0 ? 16 : 8);
      if (!ok || cp > 0x10ffff) this.#fail(`invalid escape sequence "\\${e ?? ""}" in string`);
      this.#pos += hexLen > 0 ? hexLen : 2;
      out += String.fromCodePoint(cp);
    }
  }
}
