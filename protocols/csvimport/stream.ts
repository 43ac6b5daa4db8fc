/**
 * Parse-worker side of `/api/v1/import/csv`: validates the `format` arg
 * (HTTP 400 before any row is read) and parses the body.
 *
 * @module
 */

import { BodyType, type ProtocolParser } from "../_shared/protocol.ts";
import { type ColumnDescriptor, parseColumnDescriptors } from "./column_descriptor.ts";
import { parseCsv } from "./parse.ts";

/** The last `format` and its descriptors: clients usually send the same one every time. */
let lastFormat: string | undefined;
let lastColumns: readonly ColumnDescriptor[] = [];

function columnsOf(format: string): readonly ColumnDescriptor[] {
  if (format !== lastFormat) {
    lastColumns = parseColumnDescriptors(format);
    lastFormat = format;
  }
  return lastColumns;
}

export const csvimportProtocol: ProtocolParser = {
  type: BodyType.CSV,
  name: "csvimport",
  parse(body, ctx) {
    const columns = columnsOf(ctx.params.get("format") ?? "");
    parseCsv(body, ctx.w, {
      columns,
      nowMs: ctx.nowMs,
      trimTimestampMs: ctx.config.csvTrimTimestampMs,
      invalidLine: (reason, line) => ctx.invalidLine(reason, line),
    });
  },
};
