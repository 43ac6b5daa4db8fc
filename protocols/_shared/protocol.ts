/**
 * The contract every push protocol implements on the parse-worker side.
 *
 * A protocol's `stream.ts` exports one {@linkcode ProtocolParser}. The parse
 * worker hands it the (already decompressed) body and a
 * {@linkcode ParseContext}; the parser writes series through `ctx.w` and
 * reports bad lines with `ctx.invalidLine()`. A problem with the request as a
 * whole (bad JSON document, bad `format` arg) is thrown as a
 * {@linkcode ParseError}, which becomes HTTP 400 with its message — and must be
 * thrown before the first series is written, so a rejected request leaves
 * nothing behind.
 *
 * @module
 */

import type { PushConfig } from "../../config/flags.ts";
import type { SeriesWriter } from "./series_writer.ts";

/** Protocol of a body in a parse ring (a u16 in the ring header). */
export const enum BodyType {
  PromRemoteWrite = 1,
  Influx = 2,
  Graphite = 3,
  OpenTSDB = 4,
  OpenTSDBHTTP = 5,
  DataDogV1 = 6,
  DataDogV2 = 7,
  CSV = 8,
  VMImport = 9,
  PromText = 10,
  OpenTelemetry = 11,
}

/** Content encoding of a body in a parse ring (a u8 in the ring header). */
export const enum BodyEncoding {
  Identity = 0,
  Gzip = 1,
  Deflate = 2,
  Snappy = 3,
  Zstd = 4,
}

/** What the request's `Content-Type` says about the body (a u8 in the ring header). */
export const enum ContentKind {
  /** No or another content type: parsers that accept several encodings sniff the body. */
  Other = 0,
  Json = 1,
  Protobuf = 2,
}

/** Maps a `Content-Type` header to a {@linkcode ContentKind}. */
export function contentKindOf(header: string | null): ContentKind {
  if (header === null) return ContentKind.Other;
  const h = header.toLowerCase();
  if (h.includes("protobuf")) return ContentKind.Protobuf;
  if (h.includes("json")) return ContentKind.Json;
  return ContentKind.Other;
}

/** A request-level error; the push gets `status` (400 unless said otherwise) and the message. */
export class ParseError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = "ParseError";
    this.status = status;
  }
}

/** What a parser gets besides the body. Valid only during the parse call. */
export interface ParseContext {
  /** Query args of the HTTP request; empty for TCP/UDP input. */
  readonly params: URLSearchParams;
  readonly config: PushConfig;
  /** What the request's Content-Type says (Other for TCP/UDP input). */
  readonly contentType: ContentKind;
  /** Current time in ms, read once per request (for samples without timestamps). */
  readonly nowMs: number;
  /** Where series go; applies extra_label and -remoteWrite.label. */
  readonly w: SeriesWriter;
  /**
   * Reports a skipped row: counted in `vm_rows_invalid_total{type}` and
   * logged at a limited rate with the reason and (a prefix of) the line.
   */
  invalidLine(reason: string, line?: string): void;
}

/** The parse-worker side of one protocol. */
export interface ProtocolParser {
  readonly type: BodyType;
  /** `type` label of `vmagent_rows_inserted_total` and `vm_rows_invalid_total`, as vmagent names it. */
  readonly name: string;
  /** Parses one body (or one block of complete lines from a TCP/UDP stream). */
  parse(body: Uint8Array, ctx: ParseContext): void;
}

/**
 * Truncates `t` to a multiple of `unitMs` (vmagent's `-*TrimTimestamp`
 * flags) the way Go's `ts -= ts % trim` does: toward zero, so negative
 * timestamps move up. A unit of 1 ms or less leaves `t` unchanged.
 */
export function trimTimestamp(t: number, unitMs: number): number {
  if (unitMs <= 1) return t;
  return t - (t % unitMs);
}
