/**
 * Parsers for the scalar value syntaxes shared by command-line flags and (later) the YAML config:
 * sizes, durations, integers, floats, bools and comma-separated arrays. All are pure functions of
 * their input and allocate nothing beyond the result.
 */

/**
 * Thrown by every parser in this module. `reason` is the bare explanation (e.g. "not an integer")
 * so callers can wrap it in their own context (a flag name, a YAML path); `message` is
 * self-contained for callers that do not.
 */
export class ValueSyntaxError extends SyntaxError {
  readonly input: string;
  readonly reason: string;
  constructor(what: string, input: string, reason: string) {
    super(`Cannot parse ${what} ${JSON.stringify(input)}: ${reason}`);
    this.name = "ValueSyntaxError";
    this.input = input;
    this.reason = reason;
  }
}

const SIZE_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/;
const SIZE_MULTIPLIERS: Record<string, number> = {
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

/**
 * Parses a byte size: a non-negative decimal number with an optional `KB MB GB TB` (1000-based)
 * or `KiB MiB GiB TiB` (1024-based) suffix, e.g. `512`, `64KB`, `1.5GiB`. Fractional byte counts
 * are truncated, as VictoriaMetrics' flagutil.Bytes does.
 * @throws ValueSyntaxError when the syntax is wrong, the value is negative or exceeds 2^53-1.
 */
export function parseSize(s: string): number {
  const m = SIZE_RE.exec(s);
  if (m === null) {
    throw new ValueSyntaxError(
      "size",
      s,
      "not a size (want a number with optional KB, MB, GB, TB, KiB, MiB, GiB or TiB suffix)",
    );
  }
  const n = Number(m[2]) * (m[3] === undefined ? 1 : (SIZE_MULTIPLIERS[m[3]] ?? 1));
  if (m[1] === "-" && n !== 0) throw new ValueSyntaxError("size", s, "size cannot be negative");
  if (n > Number.MAX_SAFE_INTEGER) throw new ValueSyntaxError("size", s, "size is too big");
  return Math.floor(n);
}

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3, // U+00B5 micro sign, as accepted by Go's time.ParseDuration
  "μs": 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
  d: 86400e3,
  w: 7 * 86400e3,
  y: 365 * 86400e3,
};
const DURATION_PART_RE = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)/y;
const PLAIN_NUMBER_RE = /^(\d+(?:\.\d*)?|\.\d+)$/;
const DURATION_REASON = "not a duration (want e.g. 500ms, 1.5s, 1m, 1h30m, 7d or a number of seconds)";

/**
 * Parses a duration into milliseconds (may be fractional for sub-millisecond units). Accepts Go's
 * time.ParseDuration syntax (`1h30m`, `1.5s`, `500ms`, `10us`, `10µs`, `100ns`), the `d` (24h),
 * `w` (7d) and `y` (365d) suffixes of VictoriaMetrics' flagutil.Duration, and a plain number,
 * meaning seconds.
 * @throws ValueSyntaxError when the syntax is wrong or the duration is negative.
 */
export function parseDuration(s: string): number {
  let body = s;
  let negative = false;
  if (body.startsWith("+") || body.startsWith("-")) {
    negative = body[0] === "-";
    body = body.slice(1);
  }
  let ms: number;
  if (PLAIN_NUMBER_RE.test(body)) {
    ms = Number(body) * 1e3;
  } else {
    if (body === "") throw new ValueSyntaxError("duration", s, DURATION_REASON);
    ms = 0;
    DURATION_PART_RE.lastIndex = 0;
    while (DURATION_PART_RE.lastIndex < body.length) {
      const m = DURATION_PART_RE.exec(body);
      if (m === null) throw new ValueSyntaxError("duration", s, DURATION_REASON);
      ms += Number(m[1]) * (DURATION_UNITS_MS[m[2] ?? ""] ?? Number.NaN);
    }
  }
  if (negative && ms !== 0) throw new ValueSyntaxError("duration", s, "duration cannot be negative");
  if (!Number.isFinite(ms)) throw new ValueSyntaxError("duration", s, "duration is too big");
  return ms;
}

const INT_RE = /^[+-]?(?:\d+|0[xX][0-9a-fA-F]+)$/;

/**
 * Parses a signed integer in decimal or `0x` hex, like Go's strconv.ParseInt with base 0 minus
 * the rarely used octal/binary forms.
 * @throws ValueSyntaxError when not an integer or outside ±(2^53-1).
 */
export function parseInteger(s: string): number {
  if (!INT_RE.test(s)) throw new ValueSyntaxError("integer", s, "not an integer");
  const neg = s.startsWith("-");
  const digits = s.replace(/^[+-]/, "");
  const n = Number(digits); // Number() understands 0x
  if (!Number.isSafeInteger(n)) throw new ValueSyntaxError("integer", s, "integer is out of range");
  return neg ? -n : n;
}

const FLOAT_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a finite decimal floating point number (`60`, `12.5`, `1e3`).
 * @throws ValueSyntaxError when not a finite number.
 */
export function parseNumber(s: string): number {
  const n = FLOAT_RE.test(s) ? Number(s) : Number.NaN;
  if (!Number.isFinite(n)) throw new ValueSyntaxError("number", s, "not a number");
  return n;
}

const TRUE_VALUES = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_VALUES = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * Parses a bool with Go's strconv.ParseBool vocabulary: 1/t/T/TRUE/true/True and
 * 0/f/F/FALSE/false/False.
 * @throws ValueSyntaxError for anything else.
 */
export function parseBool(s: string): boolean {
  if (TRUE_VALUES.has(s)) return true;
  if (FALSE_VALUES.has(s)) return false;
  throw new ValueSyntaxError("bool", s, "not a boolean (want true, false, 1 or 0)");
}

const CLOSING: Record<string, string> = { "[": "]", "{": "}", "(": ")" };

/**
 * Splits an array flag value at top-level commas, as VictoriaMetrics' flagutil arrays do: commas
 * inside single/double quotes or `[]`, `{}`, `()` do not split, and an element that is entirely
 * quoted is unquoted (`a,"b, c"` → `a`, `b, c`). An empty input yields one empty element so that
 * `-flag=` explicitly sets an empty value.
 */
export function splitArrayValue(s: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  let quote = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    if (quote !== "") {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c in CLOSING) stack.push(CLOSING[c] ?? "");
    else if (stack.length > 0 && c === stack[stack.length - 1]) stack.pop();
    else if (c === "," && stack.length === 0) {
      out.push(unquote(s.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(unquote(s.slice(start)));
  return out;
}

function unquote(v: string): string {
  const q = v[0];
  if (v.length < 2 || (q !== '"' && q !== "'") || v[v.length - 1] !== q) return v;
  let out = "";
  for (let i = 1; i < v.length - 1; i++) {
    let c = v[i] ?? "";
    if (c === "\\" && i + 1 < v.length - 1) {
      c = v[++i] ?? "";
      if (c === "n") c = "\n";
      else if (c === "t") c = "\t";
      else if (c === "r") c = "\r";
    } else if (c === q) {
      return v; // an unescaped inner quote means this was not one quoted string
    }
    out += c;
  }
  return out;
}
