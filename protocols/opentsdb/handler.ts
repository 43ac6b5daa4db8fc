/**
 * OpenTSDB telnet `put` is served only on `-opentsdbListenAddr` (TCP and
 * UDP). On TCP, vmagent peeks at the first byte of each connection: `p` means
 * telnet, anything else is HTTP and goes to the `/api/put` handler
 * (lib/ingestserver/opentsdb/listener_switch.go), whatever the path.
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route, StreamListener } from "../_shared/route.ts";
import { routes as opentsdbHTTPRoutes } from "../opentsdbhttp/handler.ts";

/** vmagent's ReadLinesBlock limit: a longer line is skipped. */
const MAX_LINE_SIZE = 256 * 1024;

export const routes: readonly Route[] = [];

export const listeners: readonly StreamListener[] = [
  {
    flag: "opentsdbListenAddr",
    addr: (cfg) => cfg.push.opentsdb.listenAddr,
    type: BodyType.OpenTSDB,
    protocol: "opentsdb",
    tcp: true,
    udp: true,
    maxLineSize: () => MAX_LINE_SIZE,
    httpFallback: opentsdbHTTPRoutes,
  },
];
