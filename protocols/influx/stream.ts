/**
 * The parse-worker side of the InfluxDB line protocol: maps the request's
 * query args and the `-influx*` flags onto parseInflux().
 *
 * @module
 */

import { BodyType, type ParseContext, type ProtocolParser } from "../_shared/protocol.ts";
import { precisionOf } from "./numbers.ts";
import { parseInflux } from "./parse.ts";

/**
 * `db` and `precision` come from the query string (HTTP only; TCP/UDP blocks
 * have no params, so no `db` label and auto-detected timestamps, as in vmagent).
 */
export const influxProtocol: ProtocolParser = {
  type: BodyType.Influx,
  name: "influx",
  parse(body: Uint8Array, ctx: ParseContext): void {
    const c = ctx.config.influx;
    parseInflux(
      body,
      {
        measurementFieldSeparator: c.measurementFieldSeparator,
        skipMeasurement: c.skipMeasurement,
        skipSingleField: c.skipSingleField,
        dbLabel: c.dbLabel,
        db: ctx.params.get("db") ?? "",
        precision: precisionOf(ctx.params.get("precision")),
        maxLineSize: c.maxLineSize,
        trimTimestampMs: c.trimTimestampMs,
      },
      ctx,
    );
  },
};
