/**
 * Tokenizer of Go time layouts (Go's `nextStdChunk`): splits a layout such
 * as `2006-01-02T15:04:05Z07:00` into literal prefixes and reference-time
 * tokens. Used by go_time.ts.
 *
 * @module
 */

export const enum Std {
  None = 0,
  Month,
  LongMonth,
  NumMonth,
  ZeroMonth,
  WeekDay,
  LongWeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

export interface Chunk {
  readonly prefix: string;
  readonly std: Std;
  /** Digits of a fractional-second token. */
  readonly digits: number;
}

const STD0X = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year];
export const SHORT_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
export const LONG_MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
export const SHORT_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
export const LONG_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
export const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

export function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

function startsWithLowerCase(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x61 && c <= 0x7a;
}

/** Go's nextStdChunk: the literal before the next token, the token and the rest. */
export function nextStdChunk(layout: string): [prefix: string, std: Std, digits: number, rest: string] {
  const L = layout.length;
  const at = (i: number, w: string) => layout.startsWith(w, i);
  for (let i = 0; i < L; i++) {
    const c = layout[i];
    const pre = layout.slice(0, i);
    switch (c) {
      case "J":
        if (at(i, "Jan")) {
          if (at(i, "January")) return [pre, Std.LongMonth, 0, layout.slice(i + 7)];
          if (!startsWithLowerCase(layout, i + 3)) return [pre, Std.Month, 0, layout.slice(i + 3)];
        }
        break;
      case "M":
        if (at(i, "Mon")) {
          if (at(i, "Monday")) return [pre, Std.LongWeekDay, 0, layout.slice(i + 6)];
          if (!startsWithLowerCase(layout, i + 3)) return [pre, Std.WeekDay, 0, layout.slice(i + 3)];
        }
        if (at(i, "MST")) return [pre, Std.TZ, 0, layout.slice(i + 3)];
        break;
      case "0": {
        const n = layout.charCodeAt(i + 1);
        if (n >= 0x31 && n <= 0x36) return [pre, STD0X[n - 0x31]!, 0, layout.slice(i + 2)];
        if (at(i, "002")) return [pre, Std.ZeroYearDay, 0, layout.slice(i + 3)];
        break;
      }
      case "1":
        if (at(i, "15")) return [pre, Std.Hour, 0, layout.slice(i + 2)];
        return [pre, Std.NumMonth, 0, layout.slice(i + 1)];
      case "2":
        if (at(i, "2006")) return [pre, Std.LongYear, 0, layout.slice(i + 4)];
        return [pre, Std.Day, 0, layout.slice(i + 1)];
      case "_":
        if (at(i, "_2")) {
          if (at(i + 1, "2006")) return [layout.slice(0, i + 1), Std.LongYear, 0, layout.slice(i + 5)];
          return [pre, Std.UnderDay, 0, layout.slice(i + 2)];
        }
        if (at(i, "__2")) return [pre, Std.UnderYearDay, 0, layout.slice(i + 3)];
        break;
      case "3":
        return [pre, Std.Hour12, 0, layout.slice(i + 1)];
      case "4":
        return [pre, Std.Minute, 0, layout.slice(i + 1)];
      case "5":
        return [pre, Std.Second, 0, layout.slice(i + 1)];
      case "P":
        if (at(i, "PM")) return [pre, Std.PM, 0, layout.slice(i + 2)];
        break;
      case "p":
        if (at(i, "pm")) return [pre, Std.pm, 0, layout.slice(i + 2)];
        break;
      case "-":
        if (at(i, "-070000")) return [pre, Std.NumSecondsTz, 0, layout.slice(i + 7)];
        if (at(i, "-07:00:00")) return [pre, Std.NumColonSecondsTZ, 0, layout.slice(i + 9)];
        if (at(i, "-0700")) return [pre, Std.NumTZ, 0, layout.slice(i + 5)];
        if (at(i, "-07:00")) return [pre, Std.NumColonTZ, 0, layout.slice(i + 6)];
        if (at(i, "-07")) return [pre, Std.NumShortTZ, 0, layout.slice(i + 3)];
        break;
      case "Z":
        if (at(i, "Z070000")) return [pre, Std.ISO8601SecondsTZ, 0, layout.slice(i + 7)];
        if (at(i, "Z07:00:00")) return [pre, Std.ISO8601ColonSecondsTZ, 0, layout.slice(i + 9)];
        if (at(i, "Z0700")) return [pre, Std.ISO8601TZ, 0, layout.slice(i + 5)];
        if (at(i, "Z07:00")) return [pre, Std.ISO8601ColonTZ, 0, layout.slice(i + 6)];
        if (at(i, "Z07")) return [pre, Std.ISO8601ShortTZ, 0, layout.slice(i + 3)];
        break;
      case ".":
      case ",": {
        const ch = layout[i + 1];
        if (ch === "0" || ch === "9") {
          let j = i + 1;
          while (j < L && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            return [pre, ch === "0" ? Std.FracSecond0 : Std.FracSecond9, j - (i + 1), layout.slice(j)];
          }
        }
        break;
      }
    }
  }
  return [layout, Std.None, 0, ""];
}
