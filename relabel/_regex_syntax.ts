/**
 * A parser for Go RE2 regex syntax (the `regexp/syntax` Perl flavour VictoriaMetrics uses); the
 * tree becomes an equivalent JS RegExp in `_regex_emit.ts`. Parsing to a tree instead of
 * rewriting text lets us reject what RE2 rejects (lookarounds, backreferences, unknown escapes),
 * keep RE2 meaning where JS differs (`.` excludes only `\n`, `\s` is ASCII, `[]a]`, octal
 * escapes, flag scopes) and find literal prefixes and alternations for the string fast paths in
 * `_regex.ts`.
 *
 * Named groups are emitted unnamed; names are resolved to group indices here, because RE2 names
 * (`[A-Za-z0-9_]+`) are not all valid JS group names.
 */

/** A parsed RE2 node. Code points are numbers; `fold` marks a case-insensitive (`(?i)`) atom. */
export type RegexNode =
  | { readonly op: "lit"; readonly cp: number; readonly fold: boolean }
  | { readonly op: "any"; readonly nl: boolean }
  | {
    readonly op: "class";
    readonly neg: boolean;
    /** Inclusive code point pairs: lo0, hi0, lo1, hi1, … */
    readonly ranges: number[];
    /** Unicode property items already in JS syntax, e.g. `\p{L}` */
    readonly props: string;
    readonly fold: boolean;
  }
  | { readonly op: "assert"; readonly js: string }
  | { readonly op: "group"; readonly cap: number; readonly sub: RegexNode }
  | {
    readonly op: "rep";
    readonly sub: RegexNode;
    readonly min: number;
    readonly max: number;
    readonly greedy: boolean;
  }
  | { readonly op: "cat"; readonly subs: RegexNode[] }
  | { readonly op: "alt"; readonly subs: RegexNode[] }
  | { readonly op: "empty" };

/** The result of {@linkcode parseRegex}. */
export interface ParsedRegex {
  readonly node: RegexNode;
  /** Number of capturing groups. */
  readonly groups: number;
  /** Group name → group index (1-based), for `${name}` in templates. */
  readonly names: ReadonlyMap<string, number>;
}

const FLAG_I = 1;
const FLAG_M = 2;
const FLAG_S = 4;
const FLAG_U = 8;
const MAX_REPEAT = 1000;
const MAX_CP = 0x10ffff;

const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE = [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20];
const POSIX: Record<string, number[]> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: DIGIT,
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: WORD,
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};
const GENERAL_CATEGORIES = new Set(
  "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(" "),
);

/** Complement of sorted, non-overlapping ranges over [0, MAX_CP]. */
function negateRanges(r: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i]! > next) out.push(next, r[i]! - 1);
    next = r[i + 1]! + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "7";
}

function isWordChar(c: string): boolean {
  return /^\w$/.test(c);
}

class Parser {
  readonly #src: string;
  #pos = 0;
  groups = 0;
  readonly names = new Map<string, number>();

  constructor(src: string) {
    this.#src = src;
  }

  fail(reason: string): never {
    throw new SyntaxError(`Cannot parse regex ${JSON.stringify(this.#src)}: ${reason}`);
  }

  parse(): RegexNode {
    const node = this.#alt({ f: 0 });
    if (this.#pos < this.#src.length) this.fail(`unexpected ")" at position ${this.#pos}`);
    return node;
  }

  /** Flags live in `scope` so that `(?i)` affects the rest of the enclosing group, across `|`. */
  #alt(scope: { f: number }): RegexNode {
    const subs = [this.#concat(scope)];
    while (this.#src[this.#pos] === "|") {
      this.#pos++;
      subs.push(this.#concat(scope));
    }
    return subs.length === 1 ? subs[0]! : { op: "alt", subs };
  }

  #concat(scope: { f: number }): RegexNode {
    const src = this.#src;
    const subs: RegexNode[] = [];
    let lastWasRepeat = false;
    while (this.#pos < src.length) {
      const c = src[this.#pos]!;
      if (c === "|" || c === ")") break;
      const rep = this.#tryRepeat();
      if (rep !== null) {
        const prev = subs.pop();
        if (prev === undefined) this.fail(`missing argument to repetition operator at position ${this.#pos}`);
        if (lastWasRepeat) this.fail(`invalid nested repetition operator at position ${this.#pos}`);
        const lazy = src[this.#pos] === "?";
        if (lazy) this.#pos++;
        // (?U) swaps the meaning of greedy and lazy.
        const greedy = lazy === ((scope.f & FLAG_U) !== 0);
        subs.push({ op: "rep", sub: prev, min: rep[0], max: rep[1], greedy });
        lastWasRepeat = true;
        continue;
      }
      lastWasRepeat = false;
      if (c === "(") {
        const g = this.#group(scope);
        if (g !== null) subs.push(g);
        else if (subs.length > 0 && src[this.#pos] !== undefined && "*+?".includes(src[this.#pos]!)) {
          // A flags-only group cannot be repeated; stop the next repetition from binding to the
          // atom before it.
          this.fail(`missing argument to repetition operator at position ${this.#pos}`);
        }
        continue;
      }
      this.#pos++;
      const fold = (scope.f & FLAG_I) !== 0;
      switch (c) {
        case "[":
          subs.push(this.#class(fold));
          break;
        case ".":
          subs.push({ op: "any", nl: (scope.f & FLAG_S) !== 0 });
          break;
        case "^":
          subs.push({ op: "assert", js: (scope.f & FLAG_M) !== 0 ? "(?m:^)" : "^" });
          break;
        case "$":
          subs.push({ op: "assert", js: (scope.f & FLAG_M) !== 0 ? "(?m:$)" : "$" });
          break;
        case "\\":
          this.#escape(subs, fold);
          break;
        default: {
          const cp = src.codePointAt(this.#pos - 1)!;
          if (cp > 0xffff) this.#pos++;
          subs.push({ op: "lit", cp, fold });
        }
      }
    }
    if (subs.length === 0) return { op: "empty" };
    return subs.length === 1 ? subs[0]! : { op: "cat", subs };
  }

  /** Parses `*`, `+`, `?` or a valid `{n}`, `{n,}`, `{n,m}`; an invalid `{` is a literal in RE2. */
  #tryRepeat(): [number, number] | null {
    const c = this.#src[this.#pos];
    if (c === "*") return this.#pos++, [0, -1];
    if (c === "+") return this.#pos++, [1, -1];
    if (c === "?") return this.#pos++, [0, 1];
    if (c !== "{") return null;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.#src.slice(this.#pos, this.#pos + 16));
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? -1 : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max !== -1 && max < min)) {
      this.fail(`invalid repeat count ${JSON.stringify(m[0])}`);
    }
    this.#pos += m[0].length;
    return [min, max];
  }

  /** Returns null for a flags-only group such as `(?i)`, which changes `scope` instead. */
  #group(scope: { f: number }): RegexNode | null {
    const src = this.#src;
    this.#pos++; // (
    if (src[this.#pos] !== "?") return this.#groupBody(scope.f, ++this.groups);
    const rest = src.slice(this.#pos, this.#pos + 4);
    if (rest.startsWith("?P<") || (rest.startsWith("?<") && rest[2] !== "=" && rest[2] !== "!")) {
      const start = this.#pos + (rest[1] === "P" ? 3 : 2);
      const end = src.indexOf(">", start);
      if (end < 0) this.fail('invalid named capture: missing ">"');
      const name = src.slice(start, end);
      if (!/^\w+$/.test(name)) this.fail(`invalid named capture ${JSON.stringify(name)}`);
      if (this.names.has(name)) this.fail(`duplicate capture group name ${JSON.stringify(name)}`);
      this.#pos = end + 1;
      const idx = ++this.groups;
      this.names.set(name, idx);
      return this.#groupBody(scope.f, idx);
    }
    // Flags: (?flags) or (?flags:re), flags in [imsU] with an optional "-" before the cleared ones.
    let i = this.#pos + 1;
    let f = scope.f;
    let negate = false;
    let sawFlag = false;
    for (; i < src.length; i++) {
      const c = src[i]!;
      const bit = c === "i" ? FLAG_I : c === "m" ? FLAG_M : c === "s" ? FLAG_S : c === "U" ? FLAG_U : 0;
      if (bit !== 0) {
        f = negate ? f & ~bit : f | bit;
        sawFlag = true;
        continue;
      }
      if (c === "-" && !negate) {
        negate = true;
        sawFlag = false;
        continue;
      }
      if ((c === ":" || c === ")") && sawFlag) {
        this.#pos = i + 1;
        if (c === ")") {
          scope.f = f;
          return null;
        }
        return this.#groupBody(f, 0);
      }
      if (c === ":" && !negate && i === this.#pos + 1) {
        this.#pos = i + 1;
        return this.#groupBody(f, 0);
      }
      break;
    }
    this.fail(`invalid or unsupported Perl syntax ${JSON.stringify(src.slice(this.#pos - 1, this.#pos + 3))}`);
  }

  #groupBody(flags: number, cap: number): RegexNode {
    const sub = this.#alt({ f: flags });
    if (this.#src[this.#pos] !== ")") this.fail('missing closing ")"');
    this.#pos++;
    return { op: "group", cap, sub };
  }

  /** Parses an escape outside a class (after the backslash) and appends the resulting nodes. */
  #escape(subs: RegexNode[], fold: boolean): void {
    const c = this.#src[this.#pos];
    switch (c) {
      case "A":
        this.#pos++;
        subs.push({ op: "assert", js: "^" });
        return;
      case "z":
        this.#pos++;
        subs.push({ op: "assert", js: "$" });
        return;
      case "b":
      case "B":
        this.#pos++;
        subs.push({ op: "assert", js: `\\${c}` });
        return;
      case "Q": {
        const end = this.#src.indexOf("\\E", this.#pos + 1);
        const text = this.#src.slice(this.#pos + 1, end < 0 ? undefined : end);
        this.#pos = end < 0 ? this.#src.length : end + 2;
        for (const ch of text) subs.push({ op: "lit", cp: ch.codePointAt(0)!, fold });
        return;
      }
    }
    const cls = this.#classEscape();
    if (cls !== null) {
      subs.push({ op: "class", neg: false, ranges: cls[0], props: cls[1], fold });
      return;
    }
    subs.push({ op: "lit", cp: this.#charEscape(), fold });
  }

  /** `\d \D \s \S \w \W \pX \p{X} \PX \P{X}` (after the backslash), else null without consuming. */
  #classEscape(): [number[], string] | null {
    const c = this.#src[this.#pos];
    switch (c) {
      case "d":
      case "D":
      case "s":
      case "S":
      case "w":
      case "W": {
        this.#pos++;
        const base = c === "d" || c === "D" ? DIGIT : c === "s" || c === "S" ? SPACE : WORD;
        return [c === c.toUpperCase() ? negateRanges(base) : base.slice(), ""];
      }
      case "p":
      case "P": {
        let name: string;
        if (this.#src[this.#pos + 1] === "{") {
          const end = this.#src.indexOf("}", this.#pos + 2);
          if (end < 0) this.fail('invalid character class range: missing "}"');
          name = this.#src.slice(this.#pos + 2, end);
          this.#pos = end + 1;
        } else {
          name = this.#src[this.#pos + 1] ?? "";
          this.#pos += 2;
        }
        let neg = c === "P";
        if (name.startsWith("^")) {
          neg = !neg;
          name = name.slice(1);
        }
        if (name === "Any") return [neg ? [] : [0, MAX_CP], ""];
        const prop = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
        const js = `\\${neg ? "P" : "p"}{${prop}}`;
        try {
          new RegExp(js, "u");
        } catch {
          this.fail(`invalid character class range \\p{${name}}`);
        }
        return [[], js];
      }
    }
    return null;
  }

  /** A single-character escape (after the backslash) → its code point. */
  #charEscape(): number {
    const src = this.#src;
    const c = src[this.#pos];
    if (c === undefined) this.fail("trailing backslash at end of expression");
    this.#pos++;
    switch (c) {
      case "a":
        return 7;
      case "f":
        return 12;
      case "t":
        return 9;
      case "n":
        return 10;
      case "r":
        return 13;
      case "v":
        return 11;
      case "x": {
        let m: RegExpExecArray | null;
        if (src[this.#pos] === "{") m = /^\{([0-9a-fA-F]+)\}/.exec(src.slice(this.#pos));
        else m = /^([0-9a-fA-F]{2})/.exec(src.slice(this.#pos, this.#pos + 2));
        const cp = m === null ? NaN : parseInt(m[1]!, 16);
        if (m === null || !(cp <= MAX_CP)) this.fail(`invalid escape sequence at position ${this.#pos - 2}`);
        this.#pos += m[0].length;
        return cp;
      }
    }
    // RE2 has no backreferences: \1..\7 are octal only when followed by another octal digit.
    if (c === "0" || (c >= "1" && c <= "7" && isOctal(src[this.#pos]))) {
      let cp = c.charCodeAt(0) - 0x30;
      for (let i = 1; i < 3 && isOctal(src[this.#pos]); i++) cp = cp * 8 + src.charCodeAt(this.#pos++) - 0x30;
      return cp;
    }
    if (c.charCodeAt(0) < 0x80 && !isWordChar(c)) return c.charCodeAt(0);
    this.fail(`invalid escape sequence ${JSON.stringify("\\" + c)}`);
  }

  #class(fold: boolean): RegexNode {
    const src = this.#src;
    let neg = false;
    if (src[this.#pos] === "^") {
      neg = true;
      this.#pos++;
    }
    const ranges: number[] = [];
    let props = "";
    let first = true;
    for (;;) {
      const c = src[this.#pos];
      if (c === undefined) this.fail('missing closing "]"');
      if (c === "]" && !first) break;
      first = false;
      if (c === "[" && src[this.#pos + 1] === ":") {
        const end = src.indexOf(":]", this.#pos + 2);
        if (end >= 0) {
          let name = src.slice(this.#pos + 2, end);
          const negated = name.startsWith("^");
          if (negated) name = name.slice(1);
          const r = POSIX[name];
          if (r === undefined) this.fail(`invalid character class range [:${name}:]`);
          ranges.push(...(negated ? negateRanges(r) : r));
          this.#pos = end + 2;
          continue;
        }
      }
      if (c === "\\") {
        this.#pos++;
        const cls = this.#classEscape();
        if (cls !== null) {
          ranges.push(...cls[0]);
          props += cls[1];
          continue;
        }
        this.#pos--;
      }
      const lo = this.#classChar();
      let hi = lo;
      if (src[this.#pos] === "-" && src[this.#pos + 1] !== "]" && src[this.#pos + 1] !== undefined) {
        this.#pos++;
        hi = this.#classChar();
        if (hi < lo) this.fail(`invalid character class range ${JSON.stringify(String.fromCodePoint(lo, 0x2d, hi))}`);
      }
      ranges.push(lo, hi);
    }
    this.#pos++; // ]
    return { op: "class", neg, ranges: normalizeRanges(ranges), props, fold };
  }

  #classChar(): number {
    const src = this.#src;
    if (src[this.#pos] === "\\") {
      this.#pos++;
      return this.#charEscape();
    }
    const cp = src.codePointAt(this.#pos);
    if (cp === undefined) this.fail('missing closing "]"');
    this.#pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

/** Sorts and merges overlapping or adjacent ranges. */
function normalizeRanges(r: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

/**
 * Parses an RE2 regex.
 * @throws SyntaxError naming the regex and the reason when RE2 would reject it or it uses a
 * construct JS cannot express.
 */
export function parseRegex(expr: string): ParsedRegex {
  const p = new Parser(expr);
  const node = p.parse();
  return { node, groups: p.groups, names: p.names };
}
