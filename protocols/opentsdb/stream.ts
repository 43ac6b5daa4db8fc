/**
 * Parse-worker side of OpenTSDB telnet `put`: blocks of lines from the
 * `-opentsdbListenAddr` TCP/UDP listener.
 *
 * @module
 */

import { BodyType, type ProtocolParser } from "../_shared/protocol.ts";
import { parseOpenTSDB } from "./parse.ts";

export const opentsdbProtocol: ProtocolParser = {
  type: BodyType.OpenTSDB,
  name: "opentsdb",
  parse(body, ctx) {
    parseOpenTSDB(body, ctx, { trimTimestampMs: ctx.config.opentsdb.trimTimestampMs });
  },
};
