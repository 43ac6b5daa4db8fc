/**
 * CSV rows (`/api/v1/import/csv`) → series, as vmagent v1.79.5 reads them:
 *
 * - lines end at `\n` (one trailing `\r` dropped); empty lines are skipped;
 *   a quoted field cannot span lines;
 * - fields are split at `,`; a field starting with `"` runs to the next `"`
 *   not followed by another `"` (`""` is an escaped quote) and must be
 *   followed by `,` or the end of the line; a trailing empty field after the
 *   last `,` does not count as a column;
 * - columns beyond the highest listed position are ignored (but still
 *   scanned, so a broken quote there rejects the row); a row with fewer
 *   columns than that position is rejected;
 * - every listed metric column must hold a number (an empty one rejects
 *   the row, as in v1.79.5); each yields one sample with the row's labels and
 *   time; no time (or time 0) → the request time; then `-csvTrimTimestamp`.
 *
 * @module
 */

import { parseFastFloatString } from "../_shared/go_float.ts";
import { trimTimestamp } from "../_shared/protocol.ts";
import type { SeriesWriter } from "../_shared/series_writer.ts";
import { type ColumnDescriptor, timeError } from "./column_descriptor.ts";

export interface CsvOptions {
  /** From parseColumnDescriptors(); one entry per column up to the highest listed one. */
  readonly columns: readonly ColumnDescriptor[];
  /** Timestamp for rows without one (or with 0), ms. */
  readonly nowMs: number;
  /** `-csvTrimTimestamp` in ms (≤1 = off). */
  readonly trimTimestampMs: number;
  /** Called for each rejected row. */
  readonly invalidLine: (reason: string, line: string) => void;
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Per-row scratch, reused across rows and calls (a parser runs on one thread). */
const metricNames: string[] = [];
const metricValues: number[] = [];
const labelNames: string[] = [];
const labelValues: string[] = [];

/** Field bounds set by nextField(). */
let fStart = 0;
let fEnd = 0;
let fEscaped = false;
let fError = "";
/**
 * Next `,` / `"` at or after the last search position (body length when
 * none). Positions only move forward, so native indexOf scans the body at
 * most once per character class even when lines have no separator.
 */
let commaAt = -1;
let quoteAt = -1;

function nextComma(s: string, p: number): number {
  if (commaAt < p) {
    commaAt = s.indexOf(",", p);
    if (commaAt < 0) commaAt = s.length;
  }
  return commaAt;
}

function nextQuote(s: string, p: number): number {
  if (quoteAt < p) {
    quoteAt = s.indexOf('"', p);
    if (quoteAt < 0) quoteAt = s.length;
  }
  return quoteAt;
}

/**
 * Reads the field at `p` of the line ending at `end`; returns the position
 * after it (past the `,`), or -1 with `fError` set.
 */
function nextField(s: string, p: number, end: number): number {
  if (s.charCodeAt(p) !== 0x22) {
    let c = nextComma(s, p);
    if (c >= end) c = end;
    fStart = p;
    fEnd = c;
    fEscaped = false;
    return c < end ? c + 1 : end;
  }
  fEscaped = false;
  let q = p + 1;
  for (;;) {
    const n = nextQuote(s, q);
    if (n >= end) {
      fError = `missing closing quote for ${JSON.stringify(s.slice(p, end))}`;
      return -1;
    }
    const after = n + 1;
    if (after === end) {
      fStart = p + 1;
      fEnd = n;
      return end;
    }
    const c = s.charCodeAt(after);
    if (c === 0x22) {
      fEscaped = true;
      q = after + 1;
      continue;
    }
    if (c !== 0x2c) {
      fError = `missing comma after quoted field in ${JSON.stringify(s.slice(p, end))}`;
      return -1;
    }
    fStart = p + 1;
    fEnd = n;
    return after + 1;
  }
}

function fieldText(s: string): string {
  const v = s.slice(fStart, fEnd);
  return fEscaped ? v.replaceAll('""', '"') : v;
}

/** Parses CSV `body` into `w`; bad rows go to `opts.invalidLine`. Returns the number of samples written. */
export function parseCsv(body: Uint8Array | string, w: SeriesWriter, opts: CsvOptions): number {
  const s = typeof body === "string" ? body : decoder.decode(body);
  const cds = opts.columns;
  const ncols = cds.length;
  const len = s.length;
  commaAt = -1;
  quoteAt = -1;
  let rows = 0;
  let pos = 0;
  while (pos < len) {
    let nl = s.indexOf("\n", pos);
    if (nl < 0) nl = len;
    const start = pos;
    let end = nl;
    pos = nl + 1;
    if (end > start && s.charCodeAt(end - 1) === 0x0d) end--;
    if (end === start) continue;

    let col = 0;
    let nMetrics = 0;
    let nLabels = 0;
    let ts = 0;
    let err = "";
    let p = start;
    while (p < end) {
      p = nextField(s, p, end);
      if (p < 0) {
        err = fError;
        break;
      }
      if (col >= ncols) continue;
      const cd = cds[col++]!;
      if (cd.time !== undefined) {
        const t = cd.time(fieldText(s));
        if (t === undefined) {
          err = `cannot parse timestamp: ${timeError}`;
          break;
        }
        ts = t;
      } else if (cd.label !== "") {
        labelNames[nLabels] = cd.label;
        labelValues[nLabels++] = fieldText(s);
      } else if (cd.metric !== "") {
        const v = fEscaped ? parseFloatText(fieldText(s)) : parseFastFloatString(s.slice(fStart, fEnd));
        if (v === undefined) {
          err = `cannot parse metric value for ${JSON.stringify(cd.metric)} from ${JSON.stringify(fieldText(s))}`;
          break;
        }
        metricNames[nMetrics] = cd.metric;
        metricValues[nMetrics++] = v;
      }
    }
    if (err === "" && col < ncols) {
      err = `missing columns in the csv line; got ${col} columns; want at least ${ncols} columns`;
    }
    if (err !== "") {
      opts.invalidLine(err, s.slice(start, end));
      continue;
    }
    if (ts === 0) ts = opts.nowMs;
    ts = trimTimestamp(ts, opts.trimTimestampMs);
    for (let m = 0; m < nMetrics; m++) {
      w.begin();
      w.label("__name__", metricNames[m]!);
      for (let l = 0; l < nLabels; l++) w.label(labelNames[l]!, labelValues[l]!);
      w.sample(metricValues[m]!, ts);
      w.end();
      rows++;
    }
  }
  return rows;
}

function parseFloatText(t: string): number | undefined {
  return parseFastFloatString(t);
}
