/**
 * JSON string unescaping with valyala/fastjson's best-effort rules, shared
 * by the JSON-line import and OpenTSDB HTTP parsers (both follow vmagent,
 * which uses fastjson).
 *
 * @module
 */

const BACKSLASH = 0x5c;

function hex4(s: string, at: number, end: number): number {
  if (at + 4 > end) return -1;
  let x = 0;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(at + i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = (c | 0x20) - 0x61 + 10;
    else return -1;
    x = x * 16 + d;
  }
  return x;
}

/**
 * The JSON string body `s[a, b)` with escapes resolved best-effort like
 * fastjson: unknown escapes and bad `\u` sequences are kept verbatim, a
 * surrogate pair becomes one code point, a high surrogate followed by a
 * non-low one becomes U+FFFD. `firstBackslash` is the index of the first backslash in range.
 */
export function unescapeJson(s: string, a: number, b: number, firstBackslash: number): string {
  let out = "";
  let from = a;
  let i = firstBackslash;
  while (i >= 0 && i < b) {
    out += s.slice(from, i);
    if (i + 1 >= b) {
      from = i;
      break;
    }
    const c = s[i + 1]!;
    from = i + 2;
    switch (c) {
      case '"':
      case "\\":
      case "/":
        out += c;
        break;
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case "u": {
        const x = from + 4 <= b ? hex4(s, from, b) : -1;
        if (x < 0) {
          out += "\\u";
          break;
        }
        from += 4;
        if (x < 0xd800 || x >= 0xe000) {
          out += String.fromCharCode(x);
          break;
        }
        const y = from + 6 <= b && s.charCodeAt(from) === BACKSLASH && s[from + 1] === "u" ? hex4(s, from + 2, b) : -1;
        if (y < 0) {
          out += "\\u" + s.slice(from - 4, from);
          break;
        }
        from += 6;
        // utf16.DecodeRune: a valid pair or U+FFFD.
        out += x < 0xdc00 && y >= 0xdc00 && y < 0xe000 ? String.fromCharCode(x, y) : "\ufffd";
        break;
      }
      default:
        out += "\\" + c;
    }
    i = s.indexOf("\\", from);
  }
  return out + s.slice(from, b);
}
