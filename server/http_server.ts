/**
 * The HTTP listener (`-httpListenAddr`) on the main thread: push endpoints
 * and vmagent's operational endpoints. Request bodies are not parsed here;
 * they go to the worker pool.
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import type { Logger } from "../log/logger.ts";
import { type Metric, type Registry } from "../selfmetrics/registry.ts";
import { encodingOf } from "../protocols/_shared/decompress.ts";
import { BodyEncoding, contentKindOf } from "../protocols/_shared/protocol.ts";
import type { PushRoute, Route } from "../protocols/_shared/route.ts";
import { parseListenAddr } from "./listen_addr.ts";
import { routeTable } from "./routes.ts";
import type { WorkerPool } from "../workers/pool.ts";
import { ConcurrencyLimiter, HttpError, parseExtraLabels } from "./limits.ts";
import { type Http1Handler, type Http1Head, Http1Server } from "./http1.ts";

/** What the server needs from the rest of the process. */
export interface ServerHooks {
  metricsText(): Promise<string>;
  flagsText(): string;
  reload(): void;
  /** True while `-http.shutdownDelay` runs: /health answers 503. */
  shuttingDown(): boolean;
  /** `/ready`: null when ready, else the 425 body (e.g. scrape discovery still running). */
  notReady?(): string | null;
  /** Extra pages (scrape status pages); null when `path` is not one of them. */
  page?(path: string, req: Request): Promise<Response> | Response | null;
}

const INDEX_HTML = `<h2>Drover</h2>
<p>A vmagent-compatible metrics agent. See <a href="https://docs.victoriametrics.com/vmagent.html">vmagent docs</a> for the API.</p>
Useful endpoints:<br>
<a href="metrics">metrics</a> - available service metrics<br>
<a href="flags">flags</a> - command-line flags<br>
<a href="health">health</a> - health check<br>
`;

interface PathMetrics {
  requests: Metric;
  errors: Metric;
}

/** Which listener: the main one (`-httpListenAddr`, every route and the operational pages) or an extra one. */
export interface ListenerOptions {
  listenAddr: string;
  flag: string;
  /** Routes to serve; the main listener serves every protocol's routes. */
  routes?: readonly Route[];
  /** Serve /metrics, /health and the other operational pages (main listener only). */
  builtins: boolean;
}

/**
 * The request handler of an HTTP listener: vmagent's operational pages (on
 * the main listener) and every push route, for an {@link Http1Server} or for
 * HTTP that arrives on another listener (the OpenTSDB telnet port).
 */
export function httpHandler(
  cfg: Config,
  pool: WorkerPool,
  registry: Registry,
  log: Logger,
  hooks: ServerHooks,
  opts: ListenerOptions & { hostname: string; port: number },
): Http1Handler {
  const { hostname, port } = opts;
  const limiter = new ConcurrencyLimiter(cfg.maxConcurrentInserts, cfg.insertMaxQueueDurationMs);
  registry.gauge("vm_concurrent_insert_capacity", undefined, () => limiter.capacity);
  registry.gauge("vm_concurrent_insert_current", undefined, () => limiter.current);
  registry.gauge("vm_concurrent_insert_limit_reached_total", undefined, () => limiter.limitReached);
  registry.gauge("vm_concurrent_insert_limit_timeout_total", undefined, () => limiter.timeouts);
  const pathMetrics = new Map<string, PathMetrics>();
  const metricsFor = (path: string, protocol: string): PathMetrics => {
    let m = pathMetrics.get(path);
    if (m === undefined) {
      m = {
        requests: registry.metric("vmagent_http_requests_total", { path, protocol }),
        errors: registry.metric("vmagent_http_request_errors_total", { path, protocol }),
      };
      pathMetrics.set(path, m);
    }
    return m;
  };
  const requestErrors = log.child("httpserver");
  const unknownEncodings = new Map<string, Metric>();
  let unknownLoggedAt = 0;
  /** Counts a request with an unknown Content-Encoding; logs one such request per 10 s. */
  function unknownEncoding(path: string, route: PushRoute, ce: string, remoteAddr: string): void {
    let m = unknownEncodings.get(path);
    if (m === undefined) {
      m = registry.metric("drover_http_unknown_content_encoding_total", { path, protocol: route.protocol });
      unknownEncodings.set(path, m);
    }
    m.inc();
    const now = Date.now();
    if (now - unknownLoggedAt < 10_000) return;
    unknownLoggedAt = now;
    requestErrors.warn(
      `remoteAddr: ${remoteAddr}; requestURI: ${path}; unknown Content-Encoding ${JSON.stringify(ce)}: reading the ` +
        `body as ${route.defaultEncoding ?? "uncompressed"}, as vmagent does; known: gzip, ` +
        `deflate, snappy, zstd (counted in drover_http_unknown_content_encoding_total)`,
    );
  }
  const routes = routeTable(opts.routes);
  // A listener serving only one protocol may take every path for it (OpenTSDB HTTP, as vmagent).
  const anyPath = opts.builtins ? undefined : opts.routes?.find((r) => r.kind === "push" && r.anyPath === true);

  /** Logs a failed push and answers it (text/plain, Retry-After on 429 and 503). */
  function pushError(head: Http1Head, path: string, m: PathMetrics, status: number, msg: string): Response {
    m.errors.inc();
    const fwd = head.header("x-forwarded-for");
    requestErrors.warn(
      `remoteAddr: ${head.remoteAddr}${fwd === null ? "" : `, X-Forwarded-For: ${fwd}`}; requestURI: ${path}; ${msg}`,
    );
    const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
    if (status === 429 || status === 503) headers["Retry-After"] = "1";
    return new Response(`${msg}\n`, { status, headers });
  }

  async function push(head: Http1Head, body: Uint8Array, route: PushRoute): Promise<Response> {
    const path = route.paths[0]!;
    const m = metricsFor(path, route.protocol);
    m.requests.inc();
    try {
      if (head.method !== "POST" && head.method !== "PUT") {
        throw new HttpError(405, `unsupported method ${head.method} for ${path}; use POST`);
      }
      const query = head.query;
      if (query !== "") parseExtraLabels(new URLSearchParams(query));
      const ce = head.header("content-encoding");
      let enc = ce === null && route.defaultEncoding === "snappy" ? BodyEncoding.Snappy : encodingOf(ce);
      if (enc === undefined) {
        // As vmagent: an unknown encoding is ignored, and the body read as the protocol's default.
        enc = route.defaultEncoding === "snappy" ? BodyEncoding.Snappy : BodyEncoding.Identity;
        unknownEncoding(path, route, ce!, head.remoteAddr);
      }
      await limiter.acquire();
      try {
        const r = await pool.push(route.type, enc, query, body, contentKindOf(head.header("content-type")));
        if (r.status >= 300) throw new HttpError(r.status, r.message ?? "error");
        const headers: Record<string, string> = {};
        if (route.successContentType !== undefined) headers["Content-Type"] = route.successContentType;
        return new Response(route.successBody ?? null, { status: route.successStatus, headers });
      } finally {
        limiter.release();
      }
    } catch (err: unknown) {
      const status = err instanceof HttpError ? err.status : 500;
      return pushError(head, path, m, status, err instanceof Error ? err.message : String(err));
    }
  }

  function text(body: string, status = 200): Response {
    return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }

  /** A Request for the pages and static routes, which are written against the Fetch API. */
  function toRequest(head: Http1Head, body: Uint8Array): Request {
    const headers = new Headers();
    for (let i = 0; i < head.headers.length; i += 2) headers.append(head.headers[i]!, head.headers[i + 1]!);
    const host = head.header("host") ?? `${hostname}:${port}`;
    const hasBody = head.method !== "GET" && head.method !== "HEAD";
    return new Request(`http://${host}${head.target}`, {
      method: head.method,
      headers,
      ...(hasBody ? { body } : {}),
    });
  }

  /** The push route of a path on this listener, if any. */
  const pushRouteOf = (path: string): PushRoute | undefined => {
    const r = routes.get(path) ?? anyPath;
    return r?.kind === "push" ? r : undefined;
  };

  async function handle(head: Http1Head, body: Uint8Array): Promise<Response> {
    const path = head.path;
    // Extra listeners serve only their routes: "" matches no built-in page.
    switch (opts.builtins ? path : "") {
      case "/health":
        return hooks.shuttingDown() ? text("Shutting down\n", 503) : text("OK");
      case "/-/healthy":
        return text("VictoriaMetrics is Healthy.\n");
      case "/ready": {
        const why = hooks.notReady?.() ?? null;
        return why === null ? text("OK") : text(why, 425);
      }
      case "/-/ready":
        return text("VictoriaMetrics is Ready.\n");
      case "/ping":
        // As vmagent (InfluxDB's ping): 200 with an empty HTML body for ?verbose=true, else 204.
        return /(^|&)verbose=true(&|$)/.test(head.query)
          ? new Response("", { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } })
          : new Response(null, { status: 204 });
      case "/metrics":
        return new Response(await hooks.metricsText(), {
          headers: { "Content-Type": "text/plain; charset=utf-8" },
        });
      case "/flags":
        return text(hooks.flagsText());
      case "/-/reload":
        hooks.reload();
        return text("OK");
      case "/":
        return new Response(INDEX_HTML, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      default: {
        const pushRoute = pushRouteOf(path);
        if (pushRoute !== undefined) return push(head, body, pushRoute);
        const page = opts.builtins ? (hooks.page?.(path, toRequest(head, body)) ?? null) : null;
        if (page !== null) return page;
        const route = routes.get(path);
        if (route?.kind === "static") return route.respond(toRequest(head, body), cfg);
        metricsFor("unsupported", "http").errors.inc();
        return text(`unsupported path requested: ${JSON.stringify(path)}\n`, 400);
      }
    }
  }

  return {
    bodyLimit(head) {
      const r = pushRouteOf(head.path);
      return r !== undefined ? [r.maxBodySize(cfg), r.sizeFlag] : [cfg.maxInsertRequestSize, "-maxInsertRequestSize"];
    },
    async handle(head, body) {
      try {
        return await handle(head, body);
      } catch (err: unknown) {
        const msg = err instanceof Error ? err.message : String(err);
        log.error(`unexpected error in HTTP handler: ${msg}`);
        return text(`internal error: ${msg}\n`, 500);
      }
    },
    bodyError(head, status, message) {
      const r = pushRouteOf(head.path);
      if (r === undefined) return text(`${message}\n`, status);
      const m = metricsFor(r.paths[0]!, r.protocol);
      m.requests.inc();
      return pushError(head, r.paths[0]!, m, status, message);
    },
  };
}

/** Starts an HTTP listener; its `port` is the bound one. */
export function startHttpServer(
  cfg: Config,
  pool: WorkerPool,
  registry: Registry,
  log: Logger,
  hooks: ServerHooks,
  opts: ListenerOptions = { listenAddr: cfg.httpListenAddr, flag: "-httpListenAddr", builtins: true },
): Http1Server {
  const { hostname, port } = parseListenAddr(opts.listenAddr, opts.flag);
  return new Http1Server(
    { hostname, port, idleTimeoutSec: 60 },
    httpHandler(cfg, pool, registry, log, hooks, { ...opts, hostname, port }),
  );
}
