/**
 * OpenTelemetry attributes (`KeyValue`/`AnyValue`) → labels, as current
 * vmagent (`lib/protoparser/opentelemetry/pb`) builds them:
 * - a KeyValue without a key, or without a value, is skipped;
 * - string as is; bool `true`/`false`; int decimal; double Go `'f', -1`;
 *   bytes base64 (std); a key-value list is flattened into `key.sub` labels;
 *   an array becomes its JSON text (fastjson's encoding);
 * - every field of an AnyValue adds a label (a malformed oneof with several
 *   values gives several labels of the same name).
 *
 * @module
 */

import { ParseError } from "../_shared/protocol.ts";
import {
  fc,
  fcBool,
  fcDouble,
  fcIntString,
  fcString,
  fnum,
  getField,
  next,
  nextLen,
  WIRE_I64,
  WIRE_LEN,
  WIRE_VARINT,
} from "./easyproto.ts";
import { formatFloatF, formatFloatG, jsonString } from "./go_format.ts";

/** A growable label list with snapshot/restore by length (promutil.Labels + decoder snapshots). */
export class LabelList {
  names: string[] = [];
  values: string[] = [];
  n = 0;
  /** When false, nothing is stored (the validation pass). */
  store = true;

  add(name: string, value: string): void {
    if (!this.store) return;
    const i = this.n++;
    this.names[i] = name;
    this.values[i] = value;
  }

  reset(): void {
    this.n = 0;
  }
}

function b64(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("base64");
}

/** KeyValue at [start, end) → labels; `prefix` is the dotted path of enclosing lists. */
export function decodeKeyValue(buf: Uint8Array, start: number, end: number, ls: LabelList, prefix: string): void {
  if (!getField(buf, start, end, 1, WIRE_LEN)) return;
  const suffix = ls.store ? fcString(buf) : "";
  const key = prefix === "" ? suffix : prefix + "." + suffix;
  if (!getField(buf, start, end, 2, WIRE_LEN)) return;
  decodeAnyValue(buf, fc.start, fc.end, ls, key);
}

function decodeAnyValue(buf: Uint8Array, p: number, end: number, ls: LabelList, key: string): void {
  while (p < end) {
    p = next(buf, p, end);
    switch (fnum()) {
      case 1:
        if (fc.wire !== WIRE_LEN) throw new ParseError("Cannot read StringValue");
        ls.add(key, ls.store ? fcString(buf) : "");
        break;
      case 2:
        ls.add(key, fcBool("BoolValue") ? "true" : "false");
        break;
      case 3:
        if (fc.wire !== WIRE_VARINT) throw new ParseError("Cannot read IntValue");
        ls.add(key, fcIntString());
        break;
      case 4:
        if (fc.wire !== WIRE_I64) throw new ParseError("Cannot read DoubleValue");
        ls.add(key, formatFloatF(fcDouble()));
        break;
      case 5: {
        if (fc.wire !== WIRE_LEN) throw new ParseError("Cannot read ArrayValue");
        const s = fc.start;
        const e = fc.end;
        ls.add(key, arrayToJson(buf, s, e));
        break;
      }
      case 6: {
        if (fc.wire !== WIRE_LEN) throw new ParseError("Cannot read KeyValueList");
        const s = fc.start;
        const e = fc.end;
        decodeKeyValueList(buf, s, e, ls, key);
        break;
      }
      case 7:
        if (fc.wire !== WIRE_LEN) throw new ParseError("Cannot read BytesValue");
        ls.add(key, ls.store ? b64(buf, fc.start, fc.end) : "");
        break;
    }
  }
}

function decodeKeyValueList(buf: Uint8Array, p: number, end: number, ls: LabelList, prefix: string): void {
  while ((p = nextLen(buf, p, end, 1, "KeyValue data")) >= 0) decodeKeyValue(buf, fc.start, fc.end, ls, prefix);
}

/** ArrayValue → JSON text; every element decoded as decodeAnyValueToJSON does. */
function arrayToJson(buf: Uint8Array, p: number, end: number): string {
  let out = "[";
  let first = true;
  while ((p = nextLen(buf, p, end, 1, "Value data")) >= 0) {
    out += (first ? "" : ",") + anyToJson(buf, fc.start, fc.end);
    first = false;
  }
  return out + "]";
}

/** The first recognised field of an AnyValue as JSON (the rest is not read); none → null. */
function anyToJson(buf: Uint8Array, p: number, end: number): string {
  while (p < end) {
    p = next(buf, p, end);
    switch (fnum()) {
      case 1:
        if (fc.wire !== WIRE_LEN) throw new ParseError("Cannot read StringValue");
        return jsonString(fcString(buf));
      case 2:
        return fcBool("BoolValue") ? "true" : "false";
      case 3:
        if (fc.wire !== WIRE_VARINT) throw new ParseError("Cannot read IntValue");
        return fcIntString();
      case 4:
        if (fc.wire !== WIRE_I64) throw new ParseError("Cannot read DoubleValue");
        return formatFloatG(fcDouble());
      case 5: {
        if (fc.wire !== WIRE_LEN) throw new ParseError("Cannot read ArrayValue");
        return arrayToJson(buf, fc.start, fc.end);
      }
      case 6: {
        if (fc.wire !== WIRE_LEN) throw new ParseError("Cannot read KeyValueList");
        return kvListToJson(buf, fc.start, fc.end);
      }
      case 7:
        if (fc.wire !== WIRE_LEN) throw new ParseError("Cannot read BytesValue");
        return '"' + b64(buf, fc.start, fc.end) + '"';
    }
  }
  return "null";
}

/** KeyValueList → JSON object; a repeated key replaces the earlier value in place (fastjson's Set). */
function kvListToJson(buf: Uint8Array, p: number, end: number): string {
  const keys: string[] = [];
  const vals: string[] = [];
  while ((p = nextLen(buf, p, end, 1, "Value data")) >= 0) {
    const s = fc.start;
    const e = fc.end;
    if (!getField(buf, s, e, 1, WIRE_LEN)) continue;
    const key = fcString(buf);
    if (!getField(buf, s, e, 2, WIRE_LEN)) continue;
    const v = anyToJson(buf, fc.start, fc.end);
    const i = keys.indexOf(key);
    if (i >= 0) vals[i] = v;
    else {
      keys.push(key);
      vals.push(v);
    }
  }
  let out = "{";
  for (let i = 0; i < keys.length; i++) out += (i > 0 ? "," : "") + jsonString(keys[i]!) + ":" + vals[i]!;
  return out + "}";
}
