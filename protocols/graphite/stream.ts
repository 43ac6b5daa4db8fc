/**
 * Parse-worker side of Graphite plaintext: blocks of lines from the
 * `-graphiteListenAddr` TCP/UDP listener (no HTTP endpoint in vmagent).
 *
 * @module
 */

import { BodyType, type ProtocolParser } from "../_shared/protocol.ts";
import { parseGraphite } from "./parse.ts";

export const graphiteProtocol: ProtocolParser = {
  type: BodyType.Graphite,
  name: "graphite",
  parse(body, ctx) {
    const g = ctx.config.graphite;
    parseGraphite(body, ctx, { trimTimestampMs: g.trimTimestampMs, sanitizeMetricName: g.sanitizeMetricName });
  },
};
