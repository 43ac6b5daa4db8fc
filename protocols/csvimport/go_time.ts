/**
 * Go `time.Parse` for CSV `time:rfc3339` and `time:custom:<layout>` columns,
 * reproducing what vmagent v1.79.5 accepts and the millisecond it yields
 * (`t.UnixNano() / 1e6`, int64 arithmetic with wrap-around included).
 *
 * Layout tokens follow Go's reference time `Mon Jan 2 15:04:05 MST 2006`:
 * `2006 06 01 1 Jan January 02 2 _2 002 __2 15 03 3 04 4 05 5 PM pm Mon
 * Monday MST -0700 -07:00 -07 -070000 -07:00:00 Z0700 Z07:00 Z07 Z070000
 * Z07:00:00 .000 .999 ,000 ,999`. As in Go with the local zone UTC, a zone
 * abbreviation (MST, CEST, GMT+3, +05) parses but leaves the instant at the
 * wall time in UTC; numeric offsets shift it.
 *
 * @module
 */

import {
  type Chunk,
  DAYS_BEFORE,
  isDigitAt,
  LONG_DAYS,
  LONG_MONTHS,
  nextStdChunk,
  SHORT_DAYS,
  SHORT_MONTHS,
  Std,
} from "./go_time_layout.ts";

/** Result of one getnum-style read; `p` is the new position, or -1 on error. */
let num = 0;

/** Go's getnum: one or two digits (exactly two when `fixed`). Returns the new position or -1. */
function getnum(s: string, p: number, fixed: boolean): number {
  if (!isDigitAt(s, p)) return -1;
  if (!isDigitAt(s, p + 1)) {
    if (fixed) return -1;
    num = s.charCodeAt(p) - 0x30;
    return p + 1;
  }
  num = (s.charCodeAt(p) - 0x30) * 10 + (s.charCodeAt(p + 1) - 0x30);
  return p + 2;
}

/** Go's getnum3: one to three digits (exactly three when `fixed`). */
function getnum3(s: string, p: number, fixed: boolean): number {
  let n = 0;
  let i = 0;
  while (i < 3 && isDigitAt(s, p + i)) {
    n = n * 10 + (s.charCodeAt(p + i) - 0x30);
    i++;
  }
  if (i === 0 || (fixed && i !== 3)) return -1;
  num = n;
  return p + i;
}

/** Go's time.atoi on an exact substring: optional sign, digits only. */
function atoi(s: string): number | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    i = 1;
  }
  if (i >= s.length) return undefined;
  let n = 0;
  for (; i < s.length; i++) {
    if (!isDigitAt(s, i)) return undefined;
    n = n * 10 + (s.charCodeAt(i) - 0x30);
  }
  return neg ? -n : n;
}

/** Go's lookup: case-insensitive prefix match against a name table. */
function lookup(tab: readonly string[], s: string, p: number): number {
  for (let i = 0; i < tab.length; i++) {
    const v = tab[i]!;
    if (s.length - p < v.length) continue;
    let ok = true;
    for (let k = 0; k < v.length; k++) {
      if ((s.charCodeAt(p + k) | 0x20) !== v.charCodeAt(k)) {
        ok = false;
        break;
      }
    }
    if (ok) {
      num = i;
      return p + v.length;
    }
  }
  return -1;
}

/** Go's skip: the literal `prefix` must follow; a run of spaces matches a run of spaces. */
function skip(s: string, p: number, prefix: string): number {
  let i = 0;
  while (i < prefix.length) {
    if (prefix.charCodeAt(i) === 0x20) {
      if (p < s.length && s.charCodeAt(p) !== 0x20) return -1;
      while (i < prefix.length && prefix.charCodeAt(i) === 0x20) i++;
      while (p < s.length && s.charCodeAt(p) === 0x20) p++;
      continue;
    }
    if (p >= s.length || s.charCodeAt(p) !== prefix.charCodeAt(i)) return -1;
    i++;
    p++;
  }
  return p;
}

/** Length of a zone abbreviation at `s[p…]` as Go's parseTimeZone accepts it, or 0. */
function parseTimeZone(s: string, p: number): number {
  const v = s.slice(p);
  if (v.length < 3) return 0;
  if (v.startsWith("ChST") || v.startsWith("MeST")) return 4;
  if (v.startsWith("GMT")) return 3 + signedOffsetLen(v.slice(3));
  if (v[0] === "+" || v[0] === "-") return signedOffsetLen(v);
  let n = 0;
  while (n < 6 && n < v.length && v.charCodeAt(n) >= 0x41 && v.charCodeAt(n) <= 0x5a) n++;
  if (n === 3) return 3;
  if (n === 4 && (v[3] === "T" || v.startsWith("WITA"))) return 4;
  if (n === 5 && v[4] === "T") return 5;
  return 0;
}

function signedOffsetLen(v: string): number {
  if (v.length === 0 || (v[0] !== "+" && v[0] !== "-")) return 0;
  let i = 1;
  let x = 0;
  while (i < v.length && isDigitAt(v, i)) x = x * 10 + (v.charCodeAt(i++) - 0x30);
  if (i === 1 || x > 23) return 0;
  return i;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2 && isLeap(year)) return 29;
  return DAYS_BEFORE[month]! - DAYS_BEFORE[month - 1]!;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Go's `t.UnixNano() / 1e6` including int64 wrap-around for instants outside 1678…2262. */
function unixMs(sec: number, nsec: number): number {
  if (Math.abs(sec) < 9e9) {
    const ms = sec * 1000;
    // Integer division truncates toward zero, so a negative total rounds up.
    return ms + (ms < 0 && nsec > 0 ? Math.ceil(nsec / 1e6) : Math.floor(nsec / 1e6));
  }
  const ns = BigInt.asIntN(64, BigInt(sec) * 1_000_000_000n + BigInt(nsec));
  return Number(ns / 1_000_000n);
}

/** Fractional seconds `value[p]` ∈ {'.', ','} followed by `n - 1` digits → nanoseconds, or -1. */
function parseNanoseconds(s: string, p: number, n: number): number {
  let nb = n;
  if (nb > 10) nb = 10;
  let ns = 0;
  for (let i = 1; i < nb; i++) {
    if (!isDigitAt(s, p + i)) return -1;
    ns = ns * 10 + (s.charCodeAt(p + i) - 0x30);
  }
  for (let i = nb; i < 10; i++) ns *= 10;
  return ns;
}

function isCommaOrPeriod(s: string, p: number): boolean {
  const c = s.charCodeAt(p);
  return c === 0x2e || c === 0x2c;
}

/** A compiled Go time layout; parse() returns unix milliseconds. */
export class GoTimeLayout {
  readonly layout: string;
  #chunks: Chunk[] = [];
  /** Why the last parse() failed. */
  error = "";

  constructor(layout: string) {
    this.layout = layout;
    let rest = layout;
    for (;;) {
      const [prefix, std, digits, next] = nextStdChunk(rest);
      this.#chunks.push({ prefix, std, digits });
      if (std === Std.None) break;
      rest = next;
    }
  }

  #cur = "";

  #fail(detail = ""): undefined {
    this.error = `cannot parse ${JSON.stringify(this.#cur)} as ${JSON.stringify(this.layout)}${detail}`;
    return undefined;
  }

  /** Parses `s` (whole string); `undefined` on error (see `error`). */
  parse(s: string): number | undefined {
    const chunks = this.#chunks;
    let p = 0;
    let year = 0;
    let month = -1;
    let day = -1;
    let yday = -1;
    let hour = 0;
    let min = 0;
    let sec = 0;
    let nsec = 0;
    let pmSet = false;
    let amSet = false;
    let offset = 0;
    this.#cur = s;
    for (let ci = 0; ci < chunks.length; ci++) {
      const { prefix, std, digits } = chunks[ci]!;
      p = skip(s, p, prefix);
      if (p < 0) return this.#fail();
      if (std === Std.None) {
        if (p !== s.length) return this.#fail(": extra text");
        break;
      }
      let np = p;
      switch (std) {
        case Std.Year: {
          if (s.length - p < 2) return this.#fail();
          const y = atoi(s.slice(p, p + 2));
          if (y === undefined) return this.#fail();
          year = y >= 69 ? y + 1900 : y + 2000;
          np = p + 2;
          break;
        }
        case Std.LongYear: {
          if (s.length - p < 4 || !isDigitAt(s, p)) return this.#fail();
          const y = atoi(s.slice(p, p + 4));
          if (y === undefined) return this.#fail();
          year = y;
          np = p + 4;
          break;
        }
        case Std.Month:
        case Std.LongMonth:
          np = lookup(std === Std.Month ? SHORT_MONTHS : LONG_MONTHS, s, p);
          month = num + 1;
          break;
        case Std.NumMonth:
        case Std.ZeroMonth:
          np = getnum(s, p, std === Std.ZeroMonth);
          if (np >= 0 && (num <= 0 || num > 12)) return this.#fail(": month out of range");
          month = num;
          break;
        case Std.WeekDay:
        case Std.LongWeekDay:
          np = lookup(std === Std.WeekDay ? SHORT_DAYS : LONG_DAYS, s, p);
          break;
        case Std.Day:
        case Std.UnderDay:
        case Std.ZeroDay:
          if (std === Std.UnderDay && s.charCodeAt(p) === 0x20) p++;
          np = getnum(s, p, std === Std.ZeroDay);
          day = num;
          break;
        case Std.UnderYearDay:
        case Std.ZeroYearDay:
          if (std === Std.UnderYearDay) { for (let k = 0; k < 2 && s.charCodeAt(p) === 0x20; k++) p++; }
          np = getnum3(s, p, std === Std.ZeroYearDay);
          if (np >= 0 && (num < 1 || num > 366)) return this.#fail(": day-of-year out of range");
          yday = num;
          break;
        case Std.Hour:
          np = getnum(s, p, false);
          if (np >= 0 && num >= 24) return this.#fail(": hour out of range");
          hour = num;
          break;
        case Std.Hour12:
        case Std.ZeroHour12:
          np = getnum(s, p, std === Std.ZeroHour12);
          if (np >= 0 && num > 12) return this.#fail(": hour out of range");
          hour = num;
          break;
        case Std.Minute:
        case Std.ZeroMinute:
          np = getnum(s, p, std === Std.ZeroMinute);
          if (np >= 0 && num >= 60) return this.#fail(": minute out of range");
          min = num;
          break;
        case Std.Second:
        case Std.ZeroSecond: {
          np = getnum(s, p, std === Std.ZeroSecond);
          if (np < 0) break;
          if (num >= 60) return this.#fail(": second out of range");
          sec = num;
          // A fractional second the layout does not mention is still accepted.
          if (s.length - np >= 2 && isCommaOrPeriod(s, np) && isDigitAt(s, np + 1)) {
            const next = chunks[ci + 1]?.std;
            if (next === Std.FracSecond0 || next === Std.FracSecond9) break;
            let n = 2;
            while (np + n < s.length && isDigitAt(s, np + n)) n++;
            nsec = parseNanoseconds(s, np, n);
            np += n;
          }
          break;
        }
        case Std.PM:
        case Std.pm: {
          if (s.length - p < 2) return this.#fail();
          const v = s.slice(p, p + 2);
          const [PM, AM] = std === Std.PM ? ["PM", "AM"] : ["pm", "am"];
          if (v === PM) pmSet = true;
          else if (v === AM) amSet = true;
          else return this.#fail();
          np = p + 2;
          break;
        }
        case Std.ISO8601TZ:
        case Std.ISO8601ColonTZ:
        case Std.ISO8601SecondsTZ:
        case Std.ISO8601ShortTZ:
        case Std.ISO8601ColonSecondsTZ:
        case Std.NumTZ:
        case Std.NumShortTZ:
        case Std.NumColonTZ:
        case Std.NumSecondsTz:
        case Std.NumColonSecondsTZ: {
          const iso = std >= Std.ISO8601TZ && std <= Std.ISO8601ColonSecondsTZ;
          if (iso && s.charCodeAt(p) === 0x5a) {
            offset = 0;
            np = p + 1;
            break;
          }
          const v = s.slice(p);
          let hh: string;
          let mm = "00";
          let ss = "00";
          if (std === Std.ISO8601ColonTZ || std === Std.NumColonTZ) {
            if (v.length < 6 || v[3] !== ":") return this.#fail();
            hh = v.slice(1, 3);
            mm = v.slice(4, 6);
            np = p + 6;
          } else if (std === Std.NumShortTZ || std === Std.ISO8601ShortTZ) {
            if (v.length < 3) return this.#fail();
            hh = v.slice(1, 3);
            np = p + 3;
          } else if (std === Std.ISO8601ColonSecondsTZ || std === Std.NumColonSecondsTZ) {
            if (v.length < 9 || v[3] !== ":" || v[6] !== ":") return this.#fail();
            hh = v.slice(1, 3);
            mm = v.slice(4, 6);
            ss = v.slice(7, 9);
            np = p + 9;
          } else if (std === Std.ISO8601SecondsTZ || std === Std.NumSecondsTz) {
            if (v.length < 7) return this.#fail();
            hh = v.slice(1, 3);
            mm = v.slice(3, 5);
            ss = v.slice(5, 7);
            np = p + 7;
          } else {
            if (v.length < 5) return this.#fail();
            hh = v.slice(1, 3);
            mm = v.slice(3, 5);
            np = p + 5;
          }
          const h = getnum(hh, 0, true) === 2 ? num : -1;
          const m = getnum(mm, 0, true) === 2 ? num : -1;
          const sc = getnum(ss, 0, true) === 2 ? num : -1;
          if (h < 0 || m < 0 || sc < 0) return this.#fail();
          if (h > 24 || m > 60 || sc > 60) return this.#fail(": time zone offset out of range");
          const off = (h * 60 + m) * 60 + sc;
          if (v[0] === "+") offset = off;
          else if (v[0] === "-") offset = -off;
          else return this.#fail();
          break;
        }
        case Std.TZ: {
          if (s.startsWith("UTC", p)) {
            np = p + 3;
            break;
          }
          const n = parseTimeZone(s, p);
          if (n === 0) return this.#fail();
          // With UTC as the local zone Go keeps the wall time for an abbreviation.
          np = p + n;
          break;
        }
        case Std.FracSecond0: {
          const nd = 1 + digits;
          if (s.length - p < nd || !isCommaOrPeriod(s, p)) return this.#fail();
          nsec = parseNanoseconds(s, p, nd);
          np = nsec < 0 ? -1 : p + nd;
          break;
        }
        case Std.FracSecond9: {
          if (s.length - p < 2 || !isCommaOrPeriod(s, p) || !isDigitAt(s, p + 1)) break;
          let i = 0;
          while (p + i + 1 < s.length && isDigitAt(s, p + i + 1)) i++;
          nsec = parseNanoseconds(s, p, 1 + i);
          np = p + 1 + i;
          break;
        }
      }
      if (np < 0 || nsec < 0) return this.#fail();
      p = np;
    }
    if (pmSet && hour < 12) hour += 12;
    else if (amSet && hour === 12) hour = 0;
    if (yday >= 0) {
      let d = 0;
      let m = 0;
      let yd = yday;
      if (isLeap(year)) {
        if (yd === 31 + 29) {
          m = 2;
          d = 29;
        } else if (yd > 31 + 29) yd--;
      }
      if (yd < 1 || yd > 365) return this.#fail(": day-of-year out of range");
      if (m === 0) {
        m = Math.floor(yd / 31) + 1;
        if (DAYS_BEFORE[m]! < yd) m++;
        d = yd - DAYS_BEFORE[m - 1]!;
      }
      if (month >= 0 && month !== m) return this.#fail(": day-of-year does not match month");
      month = m;
      if (day >= 0 && day !== d) return this.#fail(": day-of-year does not match day");
      day = d;
    } else {
      if (month < 0) month = 1;
      if (day < 0) day = 1;
    }
    if (day < 1 || day > daysIn(month, year)) return this.#fail(": day out of range");
    const unixSec = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec - offset;
    return unixMs(unixSec, nsec);
  }
}

/** Go's time.RFC3339 layout, parsed generically as vmagent's Go version does. */
export const RFC3339 = new GoTimeLayout("2006-01-02T15:04:05Z07:00");
