/**
 * The main-thread side of a push protocol: which HTTP paths it serves and
 * how. A protocol's `handler.ts` exports its routes; server/http_server.ts
 * serves them. Parsing happens in the workers (see protocol.ts).
 *
 * @module
 */

import type { Config } from "../../config/flags.ts";
import type { BodyType } from "./protocol.ts";

/** A push endpoint: the body goes to a parse worker. */
export interface PushRoute {
  readonly kind: "push";
  readonly paths: readonly string[];
  readonly type: BodyType;
  /** `protocol` label of `vmagent_http_requests_total`. */
  readonly protocol: string;
  /** Status on success (204 for most, 202 for DataDog, 200 for some). */
  readonly successStatus: number;
  /** Optional body and content type on success. */
  readonly successBody?: string;
  readonly successContentType?: string;
  /** Largest accepted body (compressed and decompressed) and the flag that sets it. */
  readonly maxBodySize: (cfg: Config) => number;
  readonly sizeFlag: string;
  /**
   * Content encoding when the request has no Content-Encoding header
   * (remote write bodies are always snappy).
   */
  readonly defaultEncoding?: "snappy";
  /**
   * On a listener that serves only this protocol (e.g. `-opentsdbHTTPListenAddr`),
   * every path is this route, as in vmagent.
   */
  readonly anyPath?: boolean;
}

/** A fixed answer that needs no parsing (e.g. DataDog's validate stub, Influx's /query shim). */
export interface StaticRoute {
  readonly kind: "static";
  readonly paths: readonly string[];
  respond(req: Request, cfg: Config): Response | Promise<Response>;
}

export type Route = PushRoute | StaticRoute;

/**
 * A TCP and/or UDP listener for a line protocol (Graphite, Influx, OpenTSDB
 * telnet). The main thread cuts the stream at line boundaries and hands
 * blocks of complete lines to a parse worker as `type` bodies with no query
 * args; see server/stream_listeners.ts.
 */
export interface StreamListener {
  /** The flag holding the address, without the dash, e.g. "graphiteListenAddr". */
  readonly flag: string;
  readonly addr: (cfg: Config) => string;
  readonly type: BodyType;
  /** `type` label of the listener's metrics, e.g. "graphite". */
  readonly protocol: string;
  readonly tcp: boolean;
  readonly udp: boolean;
  /** Longest accepted line; a longer one is skipped and counted. */
  readonly maxLineSize: (cfg: Config) => number;
  /**
   * OpenTSDB: a TCP connection whose first byte is not `p` is HTTP and is
   * served by these routes instead (vmagent's listener switch).
   */
  readonly httpFallback?: readonly Route[];
}
