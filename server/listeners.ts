/**
 * Every TCP/UDP line listener of every push protocol. Adding a protocol with
 * a listener means adding its `handler.ts` listeners here.
 *
 * @module
 */

import type { StreamListener } from "../protocols/_shared/route.ts";
import { listeners as graphite } from "../protocols/graphite/handler.ts";
import { listeners as influx } from "../protocols/influx/handler.ts";
import { listeners as opentsdb } from "../protocols/opentsdb/handler.ts";
import { routes as opentsdbhttp } from "../protocols/opentsdbhttp/handler.ts";

export const LISTENERS: readonly StreamListener[] = [...influx, ...graphite, ...opentsdb];

/** Extra HTTP listeners serving only some routes (e.g. `-opentsdbHTTPListenAddr`). */
export interface ExtraHttpListener {
  readonly flag: string;
  readonly addr: (cfg: import("../config/flags.ts").Config) => string;
  readonly routes: readonly import("../protocols/_shared/route.ts").Route[];
}

export const EXTRA_HTTP_LISTENERS: readonly ExtraHttpListener[] = [
  // vmagent serves OpenTSDB's /api/put only here and on -opentsdbListenAddr, not on -httpListenAddr.
  { flag: "opentsdbHTTPListenAddr", addr: (cfg) => cfg.push.opentsdb.httpListenAddr, routes: opentsdbhttp },
];
