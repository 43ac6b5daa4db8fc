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
}

/** A fixed answer that needs no parsing (e.g. DataDog's validate stub, Influx's /query shim). */
export interface StaticRoute {
  readonly kind: "static";
  readonly paths: readonly string[];
  respond(req: Request, cfg: Config): Response | Promise<Response>;
}

export type Route = PushRoute | StaticRoute;
