/**
 * Graphite plaintext is served only on `-graphiteListenAddr` (TCP and UDP);
 * vmagent v1.79.5 has no HTTP endpoint for it.
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route, StreamListener } from "../_shared/route.ts";

/** vmagent's ReadLinesBlock limit: a longer line is skipped. */
const MAX_LINE_SIZE = 256 * 1024;

export const routes: readonly Route[] = [];

export const listeners: readonly StreamListener[] = [
  {
    flag: "graphiteListenAddr",
    addr: (cfg) => cfg.push.graphite.listenAddr,
    type: BodyType.Graphite,
    protocol: "graphite",
    tcp: true,
    udp: true,
    maxLineSize: () => MAX_LINE_SIZE,
  },
];
