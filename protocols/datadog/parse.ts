/**
 * DataDog "submit metrics" v1 (`POST /datadog/api/v1/series`) → series.
 *
 * Body: `{"series":[{"metric","host","device","points":[[ts,value],…],"tags":["k:v",…]}]}`
 * (`interval`, `type` and unknown keys are ignored). Labels, in order:
 * `__name__` = metric (sanitized when `sanitizeMetricName`), `host` and
 * `device` when non-empty, then one label per tag (see tags.ts). A point's
 * timestamp is float seconds; `ts ≤ 0` means "now" (whole seconds, as
 * vmagent's `fasttime.UnixTimestamp()`), and ms = int64(ts × 1000).
 *
 * The document is validated completely before anything is written: a value of
 * the wrong type anywhere rejects the request (400), as in vmagent, whose Go
 * `json.Unmarshal` fails the whole body. See go_json.ts for the Go quirks kept.
 *
 * `device` is written as current vmagent does (the Debian v1.79.5 ignores it).
 *
 * @module
 */

import type { SeriesWriter } from "../_shared/series_writer.ts";
import { foldKey, goArray, goFloat, goInt64, goObject, goString, parseGoJson, typeError } from "./go_json.ts";
import { sanitizeMetricName, writeTag } from "./tags.ts";

export interface DatadogV1Options {
  /** `-datadog.sanitizeMetricName` (default true in current vmagent, absent in v1.79.5). */
  readonly sanitizeMetricName: boolean;
  /** Current time in ms; points with ts ≤ 0 get its whole seconds. */
  readonly nowMs: number;
}

/** One validated series; strings and arrays are the parsed JSON's own (no copies). */
interface V1Series {
  metric: string;
  host: string;
  device: string;
  points: readonly unknown[];
  tags: readonly unknown[];
}

const KEY_METRIC = 1;
const KEY_HOST = 2;
const KEY_DEVICE = 3;
const KEY_POINTS = 4;
const KEY_TAGS = 5;

function keyOf(k: string): number {
  switch (k) {
    case "metric":
      return KEY_METRIC;
    case "host":
      return KEY_HOST;
    case "device":
      return KEY_DEVICE;
    case "points":
      return KEY_POINTS;
    case "tags":
      return KEY_TAGS;
    // Keys every agent sends that Drover ignores, without the case-folding below.
    case "type":
    case "interval":
      return 0;
  }
  const f = foldKey(k);
  return f === k ? 0 : keyOf(f);
}

/** Validates the document and returns its series; throws ParseError like vmagent's json.Unmarshal would fail. */
function validate(doc: unknown): V1Series[] {
  const out: V1Series[] = [];
  const root = goObject(doc, "Go value of type datadog.Request");
  if (root === undefined) return out;
  let series: readonly unknown[] = [];
  for (const k in root) {
    if (k === "series" || foldKey(k) === "series") series = goArray(root[k], "Go struct field Request.series");
  }
  for (const item of series) {
    const s: V1Series = { metric: "", host: "", device: "", points: [], tags: [] };
    const o = goObject(item, "Go struct field Request.series of type datadog.Series");
    if (o !== undefined) {
      for (const k in o) {
        const v = o[k];
        switch (keyOf(k)) {
          case KEY_METRIC:
            s.metric = goString(v, "Go struct field Series.series.metric of type string");
            break;
          case KEY_HOST:
            s.host = goString(v, "Go struct field Series.series.host of type string");
            break;
          case KEY_DEVICE:
            s.device = goString(v, "Go struct field Series.series.device of type string");
            break;
          case KEY_POINTS:
            s.points = goArray(v, "Go struct field Series.series.points of type datadog.Point");
            for (const p of s.points) {
              if (p === null) continue;
              if (!Array.isArray(p)) throw typeError("Go struct field Series.series.points of type datadog.Point", p);
              // Go decodes the first two elements into [2]float64 and discards the rest unchecked.
              goFloat(p[0], "Go struct field Series.series.points of type float64");
              goFloat(p[1], "Go struct field Series.series.points of type float64");
            }
            break;
          case KEY_TAGS:
            s.tags = goArray(v, "Go struct field Series.series.tags of type []string");
            for (const t of s.tags) goString(t, "Go struct field Series.series.tags of type string");
            break;
        }
      }
    }
    out.push(s);
  }
  return out;
}

/** Parses a v1 series body into `w`. Throws ParseError (nothing written) on bad JSON or bad types. */
export function parseDatadogV1(body: Uint8Array, w: SeriesWriter, opts: DatadogV1Options): void {
  const series = validate(parseGoJson(body, "DataDog POST"));
  const nowSec = Math.floor(opts.nowMs / 1000);
  for (const s of series) {
    w.begin();
    w.label("__name__", opts.sanitizeMetricName ? sanitizeMetricName(s.metric) : s.metric);
    if (s.host !== "") w.label("host", s.host);
    if (s.device !== "") w.label("device", s.device);
    for (const t of s.tags) writeTag(w, typeof t === "string" ? t : "");
    for (const p of s.points) {
      let ts = 0;
      let v = 0;
      if (Array.isArray(p)) {
        ts = typeof p[0] === "number" ? p[0] : 0;
        v = typeof p[1] === "number" ? p[1] : 0;
      }
      if (ts <= 0) ts = nowSec;
      w.sample(v, goInt64(ts * 1000));
    }
    w.end();
  }
}
