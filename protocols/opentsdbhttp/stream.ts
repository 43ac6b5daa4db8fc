/**
 * Parse-worker side of OpenTSDB HTTP `/api/put` (served on
 * `-opentsdbHTTPListenAddr` and on the HTTP side of `-opentsdbListenAddr`).
 *
 * @module
 */

import { BodyType, type ProtocolParser } from "../_shared/protocol.ts";
import { parseOpenTSDBHTTP } from "./parse.ts";

export const opentsdbhttpProtocol: ProtocolParser = {
  type: BodyType.OpenTSDBHTTP,
  name: "opentsdbhttp",
  parse(body, ctx) {
    parseOpenTSDBHTTP(body, ctx, { trimTimestampMs: ctx.config.opentsdb.httpTrimTimestampMs });
  },
};
