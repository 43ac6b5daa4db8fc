/**
 * Go's text forms that appear inside vmagent's hash keys, reproduced
 * exactly: `time.Duration.String()` and `strconv.Quote`. A one-character
 * difference would move a target to another member or another phase.
 *
 * @module
 */

function fmtFrac(v: bigint, prec: number): { digits: string } {
  // Returns the fractional digits of v / 10^prec without trailing zeros.
  let s = "";
  let print = false;
  let w = v;
  for (let i = 0; i < prec; i++) {
    const digit = w % 10n;
    print = print || digit !== 0n;
    if (print) s = String(digit) + s;
    w /= 10n;
  }
  return { digits: s };
}

/**
 * Go's `time.Duration(ns).String()`: `1h30m0s`, `1m0s`, `30s`, `1.5s`,
 * `500ms`, `1.5µs`, `0s`.
 */
export function goDurationString(ms: number): string {
  let ns = BigInt(Math.round(ms * 1e6));
  if (ns === 0n) return "0s";
  const neg = ns < 0n;
  if (neg) ns = -ns;
  let out: string;
  if (ns < 1_000_000_000n) {
    // Sub-second: ns, µs or ms with a fraction.
    let unit: string;
    let prec: number;
    if (ns < 1_000n) return `${neg ? "-" : ""}${ns}ns`;
    if (ns < 1_000_000n) {
      unit = "µs";
      prec = 3;
    } else {
      unit = "ms";
      prec = 6;
    }
    const scale = 10n ** BigInt(prec);
    const { digits } = fmtFrac(ns % scale, prec);
    out = `${ns / scale}${digits === "" ? "" : "." + digits}${unit}`;
  } else {
    const { digits } = fmtFrac(ns % 1_000_000_000n, 9);
    let secs = ns / 1_000_000_000n;
    out = `${secs % 60n}${digits === "" ? "" : "." + digits}s`;
    secs /= 60n;
    if (secs > 0n) {
      out = `${secs % 60n}m${out}`;
      const hours = secs / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const HEX = "0123456789abcdef";

function isGoPrintable(cp: number): boolean {
  // Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and
  // the ASCII space. Approximated with Unicode property escapes, which follow
  // the same categories (L, M, N, P, S, and U+0020).
  if (cp === 0x20) return true;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
}

/** Go's `strconv.Quote(s)`: a double-quoted Go string literal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") {
      out += "\\" + ch;
      continue;
    }
    if (cp < 0x80 && cp >= 0x20 && cp !== 0x7f) {
      out += ch;
      continue;
    }
    switch (cp) {
      case 0x07:
        out += "\\a";
        continue;
      case 0x08:
        out += "\\b";
        continue;
      case 0x0c:
        out += "\\f";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
      case 0x0b:
        out += "\\v";
        continue;
    }
    if (cp >= 0x80 && cp !== 0xfffd && isGoPrintable(cp)) {
      out += ch;
    } else if (cp < 0x80 || (cp >= 0xd800 && cp <= 0xdfff)) {
      // Control characters and lone surrogates (Go sees invalid UTF-8 as \ufffd; ASCII controls as \x..).
      if (cp < 0x80) out += "\\x" + HEX[cp >> 4]! + HEX[cp & 15]!;
      else out += "\\ufffd";
    } else if (cp === 0xfffd) {
      out += ch;
    } else if (cp < 0x10000) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else {
      out += "\\U" + cp.toString(16).padStart(8, "0");
    }
  }
  return out + '"';
}
