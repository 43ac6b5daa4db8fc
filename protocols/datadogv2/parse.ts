/**
 * DataDog "submit metrics" v2 (`POST /datadog/api/v2/series`) → series, as
 * current vmagent (v1.97.0+; not in the Debian v1.79.5) converts it
 * (`lib/protoparser/datadogv2`, `app/vmagent/datadogv2/request_handler.go`).
 *
 * JSON: `{"series":[{"metric","type","points":[{"timestamp","value"}],
 * "resources":[{"name","type"}],"tags":[…],"source_type_name"}]}`;
 * protobuf: DataDog agent-payload `MetricPayload` (series = 1; in a series:
 * resources = 1, metric = 2, tags = 3, points = 4, source_type_name = 7; in a
 * point: value = 1 (double), timestamp = 2 (int64); in a resource: type = 1,
 * name = 2).
 *
 * Labels, in order: `__name__` = metric (sanitized when `sanitizeMetricName`),
 * one `<type>=<name>` label per resource, `source_type_name` when non-empty,
 * then one label per tag (see ../datadog/tags.ts). Timestamp = seconds × 1000
 * (int64, wrapping like Go); in JSON bodies `timestamp ≤ 0` means now (whole
 * seconds), in protobuf bodies it is kept (vmagent fills it only for JSON).
 *
 * Which encoding: as vmagent, `Content-Type: application/x-protobuf` means
 * protobuf and a JSON content type means JSON. Without either (e.g. a
 * missing header), the body is sniffed: a body
 * whose first non-blank byte is `{` is JSON unless JSON.parse fails and it
 * decodes as protobuf (a protobuf body often starts with 0x0a = "\n"); an
 * empty body is JSON (an error, as in vmagent without that content type);
 * anything else is tried as protobuf first, then as JSON.
 *
 * @module
 */

import { ContentKind, ParseError } from "../_shared/protocol.ts";
import type { SeriesWriter } from "../_shared/series_writer.ts";
import { foldKey, goArray, goFloat, goObject, goString, parseGoJson, typeError } from "../datadog/go_json.ts";
import { sanitizeMetricName, writeTag } from "../datadog/tags.ts";
import {
  expectWire,
  fc,
  fcDouble,
  fcInt,
  fcString,
  fnum,
  next,
  WIRE_I64,
  WIRE_LEN,
  WIRE_VARINT,
} from "../opentelemetry/easyproto.ts";

export interface DatadogV2Options {
  /** `-datadog.sanitizeMetricName`. */
  readonly sanitizeMetricName: boolean;
  /** Current time in ms; JSON points with timestamp ≤ 0 get its whole seconds. */
  readonly nowMs: number;
  /** From Content-Type, as vmagent decides; Other (or absent) means sniff the body. */
  readonly contentType?: ContentKind;
}

/** One decoded series: parallel arrays, filled by either decoder. */
interface V2Series {
  metric: string;
  sourceTypeName: string;
  /** Resource [type, name] pairs. */
  resources: string[];
  tags: string[];
  /** [timestampSeconds, value] pairs. */
  points: number[];
}

const newSeries = (): V2Series => ({ metric: "", sourceTypeName: "", resources: [], tags: [], points: [] });

/** Parses a v2 series body into `w`. Throws ParseError (nothing written) when the body is malformed. */
export function parseDatadogV2(body: Uint8Array, w: SeriesWriter, opts: DatadogV2Options): void {
  const nowSec = Math.floor(opts.nowMs / 1000);
  let series: V2Series[];
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d)) i++;
  if (opts.contentType === ContentKind.Protobuf) {
    series = fromProtobuf(body);
  } else if (opts.contentType === ContentKind.Json || body.length === 0) {
    series = fromJson(body, nowSec);
  } else if (body[i] === 0x7b) {
    try {
      series = fromJson(body, nowSec);
    } catch (err: unknown) {
      if (body[0] !== 0x0a) throw err;
      try {
        series = fromProtobuf(body);
      } catch {
        throw err;
      }
    }
  } else {
    try {
      series = fromProtobuf(body);
    } catch (err: unknown) {
      try {
        series = fromJson(body, nowSec);
      } catch {
        throw err;
      }
    }
  }
  for (const s of series) {
    w.begin();
    w.label("__name__", opts.sanitizeMetricName ? sanitizeMetricName(s.metric) : s.metric);
    const r = s.resources;
    for (let k = 0; k < r.length; k += 2) w.label(r[k]!, r[k + 1]!);
    if (s.sourceTypeName !== "") w.label("source_type_name", s.sourceTypeName);
    for (const t of s.tags) writeTag(w, t);
    const p = s.points;
    for (let k = 0; k < p.length; k += 2) w.sample(p[k + 1]!, secondsToMillis(p[k]!));
    w.end();
  }
}

/** Go's `int64 * 1000` with two's-complement wrap-around. */
function secondsToMillis(ts: number): number {
  const ms = ts * 1000;
  if (Math.abs(ms) < 2 ** 53) return ms;
  return Number(BigInt.asIntN(64, BigInt(ts) * 1000n));
}

/** A JSON int64 field: numbers only, integral and within int64 (Go rejects 1.5 and overflow). */
function goInt64Field(v: unknown, what: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v !== "number") throw typeError(what, v);
  if (!Number.isInteger(v) || v < -9223372036854775808 || v >= 9223372036854775808) {
    throw new ParseError(`Cannot unmarshal number ${v} into ${what}`);
  }
  return v;
}

function fold(k: string, want: string): boolean {
  return k === want || foldKey(k) === want;
}

function fromJson(body: Uint8Array, nowSec: number): V2Series[] {
  const doc = parseGoJson(body, "DataDog v2");
  const out: V2Series[] = [];
  const root = goObject(doc, "Go value of type datadogv2.Request");
  if (root === undefined) return out;
  let items: readonly unknown[] = [];
  for (const k in root) if (fold(k, "series")) items = goArray(root[k], "Go struct field Request.series");
  for (const item of items) {
    const s = newSeries();
    const o = goObject(item, "Go struct field Request.series of type datadogv2.Series");
    if (o !== undefined) {
      for (const k in o) {
        const v = o[k];
        if (fold(k, "metric")) s.metric = goString(v, "Go struct field Series.series.metric of type string");
        else if (fold(k, "source_type_name")) {
          s.sourceTypeName = goString(v, "Go struct field Series.series.source_type_name of type string");
        } else if (fold(k, "tags")) {
          s.tags = [];
          for (const t of goArray(v, "Go struct field Series.series.Tags of type []string")) {
            s.tags.push(goString(t, "Go struct field Series.series.Tags of type string"));
          }
        } else if (fold(k, "resources")) {
          s.resources = [];
          for (const r of goArray(v, "Go struct field Series.series.resources of type datadogv2.Resource")) {
            const ro = goObject(r, "Go struct field Series.series.resources of type datadogv2.Resource");
            let type = "";
            let name = "";
            if (ro !== undefined) {
              for (const rk in ro) {
                if (fold(rk, "name")) name = goString(ro[rk], "Go struct field Resource.name of type string");
                else if (fold(rk, "type")) type = goString(ro[rk], "Go struct field Resource.type of type string");
              }
            }
            s.resources.push(type, name);
          }
        } else if (fold(k, "points")) {
          s.points = [];
          for (const p of goArray(v, "Go struct field Series.series.points of type datadogv2.Point")) {
            const po = goObject(p, "Go struct field Series.series.points of type datadogv2.Point");
            let ts = 0;
            let value = 0;
            if (po !== undefined) {
              for (const pk in po) {
                if (fold(pk, "timestamp")) ts = goInt64Field(po[pk], "Go struct field Point.timestamp of type int64");
                else if (fold(pk, "value")) value = goFloat(po[pk], "Go struct field Point.value of type float64");
              }
            }
            s.points.push(ts <= 0 ? nowSec : ts, value);
          }
        }
      }
    }
    out.push(s);
  }
  return out;
}

function fromProtobuf(buf: Uint8Array): V2Series[] {
  const out: V2Series[] = [];
  const end = buf.length;
  let p = 0;
  while (p < end) {
    p = next(buf, p, end);
    if (fnum() !== 1) continue;
    expectWire(WIRE_LEN, "series data");
    const se = fc.end;
    let q = fc.start;
    const s = newSeries();
    while (q < se) {
      q = next(buf, q, se);
      switch (fnum()) {
        case 2:
          expectWire(WIRE_LEN, "metric");
          s.metric = fcString(buf);
          break;
        case 3:
          expectWire(WIRE_LEN, "tag");
          s.tags.push(fcString(buf));
          break;
        case 7:
          expectWire(WIRE_LEN, "source_type_name");
          s.sourceTypeName = fcString(buf);
          break;
        case 1: {
          expectWire(WIRE_LEN, "resource data");
          const re = fc.end;
          let r = fc.start;
          let type = "";
          let name = "";
          while (r < re) {
            r = next(buf, r, re);
            if (fnum() === 1) {
              expectWire(WIRE_LEN, "type");
              type = fcString(buf);
            } else if (fnum() === 2) {
              expectWire(WIRE_LEN, "name");
              name = fcString(buf);
            }
          }
          s.resources.push(type, name);
          break;
        }
        case 4: {
          expectWire(WIRE_LEN, "point data");
          const pe = fc.end;
          let r = fc.start;
          let ts = 0;
          let value = 0;
          while (r < pe) {
            r = next(buf, r, pe);
            if (fnum() === 1) {
              expectWire(WIRE_I64, "value");
              value = fcDouble();
            } else if (fnum() === 2) {
              expectWire(WIRE_VARINT, "timestamp");
              ts = fcInt();
            }
          }
          s.points.push(ts, value);
          break;
        }
      }
    }
    out.push(s);
  }
  return out;
}
