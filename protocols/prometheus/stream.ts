/**
 * Parse-worker side of `/api/v1/import/prometheus`. The `timestamp` query
 * arg (integer ms, as vmagent v1.79.5 parses it) is the default timestamp;
 * a missing, zero or negative one means the request time.
 *
 * @module
 */

import { BodyType, ParseError, type ProtocolParser } from "../_shared/protocol.ts";
import { parsePromText } from "./parse.ts";

/** strconv.ParseInt(s, 10, 64) as a number; throws ParseError like vmagent's 400. */
export function timestampArg(params: URLSearchParams): number {
  const ts = params.get("timestamp") ?? "";
  if (ts === "") return 0;
  if (!/^[+-]?\d{1,19}$/.test(ts) || Math.abs(Number(ts)) > 9223372036854775807) {
    throw new ParseError(`Cannot parse \`timestamp=${ts}\` query arg: invalid syntax or out of range`);
  }
  return Number(ts);
}

export const prometheusProtocol: ProtocolParser = {
  type: BodyType.PromText,
  name: "prometheus",
  parse(body, ctx) {
    const ts = timestampArg(ctx.params);
    parsePromText(body, ctx.w, {
      defaultTimestampMs: ts > 0 ? ts : ctx.nowMs,
      invalidLine: (reason, line) => ctx.invalidLine(reason, line),
    });
  },
};
