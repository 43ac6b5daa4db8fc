/**
 * The `format` query arg of `/api/v1/import/csv`: comma-separated
 * `<column_pos>:<column_type>:<extension>` entries, validated as vmagent
 * v1.79.5 does (same checks, same order, same messages).
 *
 * @module
 */

import { stringBytes } from "../_shared/bytes.ts";
import { int64DigitsStart, parseInt64String } from "../_shared/go_int64.ts";
import { ParseError } from "../_shared/protocol.ts";
import { GoTimeLayout, RFC3339 } from "./go_time.ts";

/**
 * Parses a time column value to unix ms; `undefined` on error, with the
 * reason left in `timeError`.
 */
export type TimeParser = (s: string) => number | undefined;

/** What one CSV column holds; a column with no kind set is ignored. */
export interface ColumnDescriptor {
  readonly metric: string;
  readonly label: string;
  readonly time: TimeParser | undefined;
}

/** Why the last TimeParser call failed. */
export let timeError = "";

const MAX_COLUMNS_PER_ROW = 64 * 1024;
const IGNORED: ColumnDescriptor = { metric: "", label: "", time: undefined };
const MAX_UNIX_SECONDS = "9223372036854775"; // (2^63 - 1) / 1e3

function unixSeconds(s: string): number | undefined {
  const n = parseInt64String(s);
  if (n === undefined) {
    timeError = `cannot parse timestamp seconds from ${JSON.stringify(s)}`;
    return undefined;
  }
  // Compare digits: the limit is above 2^53, where doubles cannot tell it from its neighbours.
  const digits = n > 0 ? s.replace(/^0+/, "") : "";
  if (
    digits.length > MAX_UNIX_SECONDS.length || (digits.length === MAX_UNIX_SECONDS.length && digits > MAX_UNIX_SECONDS)
  ) {
    timeError = `too big unix timestamp in seconds: ${s}; must be smaller than ${MAX_UNIX_SECONDS}`;
    return undefined;
  }
  return n * 1000;
}

function unixMilliseconds(s: string): number | undefined {
  const n = parseInt64String(s);
  if (n === undefined) timeError = `cannot parse timestamp milliseconds from ${JSON.stringify(s)}`;
  return n;
}

function unixNanoseconds(s: string): number | undefined {
  const d0 = int64DigitsStart(stringBytes(s), 0, s.length);
  if (d0 < 0) {
    timeError = `cannot parse timestamp nanoseconds from ${JSON.stringify(s)}`;
    return undefined;
  }
  // Exact ns / 1e6 (truncated toward zero) without going through a float: drop the last 6 digits.
  const keep = s.length - 6;
  if (keep <= d0) return 0;
  const ms = Number(s.slice(d0, keep));
  return d0 > 0 ? -ms : ms;
}

function goLayoutParser(layout: GoTimeLayout, what: string): TimeParser {
  return (s) => {
    const t = layout.parse(s);
    if (t === undefined) timeError = `cannot parse time in ${what} from ${JSON.stringify(s)}: ${layout.error}`;
    return t;
  };
}

const rfc3339 = goLayoutParser(RFC3339, "RFC3339");

function parseTimeFormat(format: string): TimeParser {
  if (format.startsWith("custom:")) {
    const layout = format.slice("custom:".length);
    return goLayoutParser(new GoTimeLayout(layout), `custom format ${JSON.stringify(layout)}`);
  }
  switch (format) {
    case "unix_s":
      return unixSeconds;
    case "unix_ms":
      return unixMilliseconds;
    case "unix_ns":
      return unixNanoseconds;
    case "rfc3339":
      return rfc3339;
    default:
      throw new ParseError(
        `Unknown format for time parsing: ${
          JSON.stringify(format)
        }; supported formats: unix_s, unix_ms, unix_ns, rfc3339, custom:<layout>`,
      );
  }
}

/** strconv.Atoi: optional sign and decimal digits. */
function atoi(s: string): number | undefined {
  const sign = s[0] === "+" || s[0] === "-" ? 1 : 0;
  if (s.length === sign || s.length > 20) return undefined;
  for (let i = sign; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  return Number(s);
}

/** Go's %q of a string slice, for messages that quote the split entry. */
function quoteList(a: readonly string[]): string {
  return `[${a.map((x) => JSON.stringify(x)).join(" ")}]`;
}

/**
 * Parses the `format` arg into one descriptor per column up to the highest
 * listed position. Throws ParseError (HTTP 400) on any problem.
 */
export function parseColumnDescriptors(format: string): ColumnDescriptor[] {
  const byPos = new Map<number, ColumnDescriptor>();
  const entries = format.split(",");
  let hasValueCol = false;
  let hasTimeCol = false;
  let maxPos = 0;
  for (let i = 0; i < entries.length; i++) {
    const col = entries[i]!;
    const n = i + 1;
    const c1 = col.indexOf(":");
    const c2 = c1 < 0 ? -1 : col.indexOf(":", c1 + 1);
    if (c2 < 0) {
      const parts = c1 < 0 ? [col] : [col.slice(0, c1), col.slice(c1 + 1)];
      throw new ParseError(
        `Entry #${n} must have the following form: <column_pos>:<column_type>:<extension>; got ${quoteList(parts)}`,
      );
    }
    const posText = col.slice(0, c1);
    const typ = col.slice(c1 + 1, c2);
    const ext = col.slice(c2 + 1);
    const quoted = JSON.stringify(col);
    const pos = atoi(posText);
    if (pos === undefined) {
      throw new ParseError(`Cannot parse <column_pos> part from the entry #${n} ${quoted}: invalid syntax`);
    }
    if (pos <= 0) throw new ParseError(`<column_pos> cannot be smaller than 1; got ${pos} for entry #${n} ${quoted}`);
    if (pos > MAX_COLUMNS_PER_ROW) {
      throw new ParseError(
        `<column_pos> cannot be bigger than ${MAX_COLUMNS_PER_ROW}; got ${pos} for entry #${n} ${quoted}`,
      );
    }
    if (pos > maxPos) maxPos = pos;
    let cd: ColumnDescriptor;
    switch (typ) {
      case "time": {
        if (hasTimeCol) {
          throw new ParseError(
            `Duplicate time column has been found at entry #${n} ${quoted} for ${JSON.stringify(format)}`,
          );
        }
        let time: TimeParser;
        try {
          time = parseTimeFormat(ext);
        } catch (e) {
          throw new ParseError(`Cannot parse time format from the entry #${n} ${quoted}: ${(e as Error).message}`);
        }
        cd = { metric: "", label: "", time };
        hasTimeCol = true;
        break;
      }
      case "label":
        if (ext === "") throw new ParseError(`Label name cannot be empty in the entry #${n} ${quoted}`);
        cd = { metric: "", label: ext, time: undefined };
        break;
      case "metric":
        if (ext === "") throw new ParseError(`Metric name cannot be empty in the entry #${n} ${quoted}`);
        cd = { metric: ext, label: "", time: undefined };
        hasValueCol = true;
        break;
      default:
        throw new ParseError(`Unknown <column_type>: ${JSON.stringify(typ)}; allowed values: time, metric, label`);
    }
    if (byPos.has(pos - 1)) throw new ParseError(`Duplicate <column_pos> ${pos - 1} for the entry #${n} ${quoted}`);
    byPos.set(pos - 1, cd);
  }
  if (!hasValueCol) throw new ParseError(`Missing 'metric' column in ${JSON.stringify(format)}`);
  const cds = new Array<ColumnDescriptor>(maxPos).fill(IGNORED);
  for (const [pos, cd] of byPos) cds[pos] = cd;
  return cds;
}
