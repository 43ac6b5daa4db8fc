/**
 * A push request as a parse worker reads it from its ring: the header the
 * main thread wrote (request id, body type, encoding, content kind, query
 * string), the body size limit of its protocol, and its `extra_label`s
 * (workers/parse_worker.ts).
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import { decompressBody } from "../protocols/_shared/decompress.ts";
import { BodyEncoding, type ContentKind, type ParseError } from "../protocols/_shared/protocol.ts";
import type { LabelPair } from "../protocols/_shared/series_writer.ts";
import { BodyType, RING_HEADER_BYTES } from "./messages.ts";

/** One ring message, split into its header fields and the (still encoded) body. */
export interface RingRequest {
  reqId: number;
  type: BodyType;
  encoding: BodyEncoding;
  contentType: ContentKind;
  /** The query string ("" when none). */
  paramsText: string;
  /** A view into the ring, valid until the slot is released; or a DirectBody's own (transferred) buffer. */
  body: Uint8Array;
}

const decoder = new TextDecoder();

/** Splits a ring message into header fields and body. */
export function readRingRequest(msg: Uint8Array): RingRequest {
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const reqId = dv.getUint32(0, true);
  const type = dv.getUint16(4, true) as BodyType;
  const encoding = dv.getUint8(6) as BodyEncoding;
  const contentType = dv.getUint8(7) as ContentKind;
  const paramsLen = dv.getUint32(8, true);
  const paramsText = paramsLen === 0
    ? ""
    : decoder.decode(msg.subarray(RING_HEADER_BYTES, RING_HEADER_BYTES + paramsLen));
  const body = msg.subarray(RING_HEADER_BYTES + paramsLen);
  return { reqId, type, encoding, contentType, paramsText, body };
}

/** Body size limit (decompressed) and the flag naming it, per protocol. */
export function limitOf(cfg: Config, type: BodyType): [number, string] {
  const p = cfg.push;
  switch (type) {
    case BodyType.PromRemoteWrite:
      return [cfg.maxInsertRequestSize, "-maxInsertRequestSize"];
    case BodyType.Influx:
      return [p.influx.maxRequestSize, "-influx.maxRequestSize"];
    case BodyType.OpenTSDBHTTP:
      return [p.opentsdb.httpMaxInsertRequestSize, "-opentsdbhttp.maxInsertRequestSize"];
    case BodyType.DataDogV1:
    case BodyType.DataDogV2:
      return [p.datadog.maxInsertRequestSize, "-datadog.maxInsertRequestSize"];
    case BodyType.OpenTelemetry:
      return [p.opentelemetry.maxRequestSize, "-opentelemetry.maxRequestSize"];
    default:
      return [p.importMaxRequestSize, "-import.maxRequestSize"];
  }
}

/** Shared by requests without a query string. */
export const EMPTY_PARAMS = new URLSearchParams();

/** Extra labels of a request from its query string (already validated by the main thread). */
export function extraLabelsOf(params: URLSearchParams): LabelPair[] {
  const out: LabelPair[] = [];
  for (const kv of params.getAll("extra_label")) {
    const eq = kv.indexOf("=");
    if (eq > 0) out.push([kv.slice(0, eq), kv.slice(eq + 1)]);
  }
  return out;
}

/**
 * Decodes a body as its Content-Encoding declares. Returns the decoded bytes
 * and the encoding they had. vmagent v1.79.5 reads every remote-write body as
 * snappy, whatever the header says: when the declared decoding of a
 * remote-write body fails and the body is valid snappy, it is taken as
 * snappy. Throws ParseError (413 past `limit`, else 400 with the declared
 * encoding's error).
 */
export function decodeBody(
  body: Uint8Array,
  type: BodyType,
  declared: BodyEncoding,
  limit: number,
  flag: string,
): [Uint8Array, BodyEncoding] {
  try {
    return [decompressBody(body, declared, limit, flag), declared];
  } catch (err: unknown) {
    if (type !== BodyType.PromRemoteWrite || declared === BodyEncoding.Snappy || (err as ParseError).status === 413) {
      throw err;
    }
    try {
      return [decompressBody(body, BodyEncoding.Snappy, limit, flag), BodyEncoding.Snappy];
    } catch (snappyErr: unknown) {
      throw (snappyErr as ParseError).status === 413 ? snappyErr : err;
    }
  }
}
