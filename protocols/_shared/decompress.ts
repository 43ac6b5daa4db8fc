/**
 * Request-body decompression with a hard output limit, so a compression
 * bomb is refused before memory is spent: the decoders stop at `maxSize`
 * output bytes and the request gets 413.
 *
 * @module
 */

import { gunzipSync, inflateRawSync, inflateSync, zstdDecompressSync } from "node:zlib";
import { BodyEncoding, ParseError } from "./protocol.ts";
import { snappyDecompress, TooLargeError } from "./snappy.ts";

/** Maps a `Content-Encoding` header to a {@linkcode BodyEncoding}; undefined when unsupported. */
export function encodingOf(header: string | null): BodyEncoding | undefined {
  if (header === null || header === "" || header === "identity") return BodyEncoding.Identity;
  switch (header.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return BodyEncoding.Gzip;
    case "deflate":
      return BodyEncoding.Deflate;
    case "snappy":
      return BodyEncoding.Snappy;
    case "zstd":
      return BodyEncoding.Zstd;
    default:
      return undefined;
  }
}

function tooBig(limit: number, flag: string): ParseError {
  return new ParseError(`too big decompressed request body: more than ${limit} bytes; see ${flag}`, 413);
}

function isBufferTooLarge(err: unknown): boolean {
  return err instanceof RangeError || (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
}

/**
 * Returns the decoded body. Throws ParseError 413 past `maxSize` decoded
 * bytes and ParseError 400 for corrupt data. `flag` names the limit in the
 * message.
 */
export function decompressBody(body: Uint8Array, enc: BodyEncoding, maxSize: number, flag: string): Uint8Array {
  try {
    switch (enc) {
      case BodyEncoding.Identity:
        return body;
      case BodyEncoding.Gzip:
        return gunzipSync(body, { maxOutputLength: maxSize });
      case BodyEncoding.Deflate:
        // DataDog agents send zlib-wrapped deflate; accept raw deflate too.
        try {
          return inflateSync(body, { maxOutputLength: maxSize });
        } catch (err: unknown) {
          if (isBufferTooLarge(err)) throw err;
          return inflateRawSync(body, { maxOutputLength: maxSize });
        }
      case BodyEncoding.Snappy:
        return snappyDecompress(body, maxSize);
      case BodyEncoding.Zstd:
        return zstdDecompressSync(body, { maxOutputLength: maxSize });
    }
  } catch (err: unknown) {
    if (err instanceof ParseError) throw err;
    if (err instanceof TooLargeError || isBufferTooLarge(err)) throw tooBig(maxSize, flag);
    throw new ParseError(`cannot decompress request body: ${err instanceof Error ? err.message : String(err)}`);
  }
}
