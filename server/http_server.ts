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
import { ConcurrencyLimiter, HttpError, parseExtraLabels, readBodyLimited } from "./limits.ts";

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

/** The path of a request URL without building a URL object (hot path). */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return "/";
  const q = url.indexOf("?", start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}

const INDEX_HTML = `<h2>Drover</h2>
<p>A vmagent-compatible metrics agent. See <a href="https://docs.victoriametrics.com/vmagent.html">vmagent docs</a> for the API.</p>
Useful endpoints:<br>
<a href="metrics">metrics</a> - available service metrics<br>
<a href="flags">flags</a> - command-line flags<br>
<a href="health">health</a> - health check<br>
`;

function remoteAddrOf(
  server: { requestIP(r: Request): { address: string; port: number } | null },
  req: Request,
): string {
  const a = server.requestIP(req);
  return a === null ? "-" : `${a.address}:${a.port}`;
}

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

/** Starts an HTTP listener; returns the Bun server (its `port` is the bound one). */
export function startHttpServer(
  cfg: Config,
  pool: WorkerPool,
  registry: Registry,
  log: Logger,
  hooks: ServerHooks,
  opts: ListenerOptions = { listenAddr: cfg.httpListenAddr, flag: "-httpListenAddr", builtins: true },
): ReturnType<typeof Bun.serve> {
  const { hostname, port } = parseListenAddr(opts.listenAddr, opts.flag);
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
  const routes = routeTable(opts.routes);

  async function push(req: Request, path: string, route: PushRoute, remoteAddr: string): Promise<Response> {
    const m = metricsFor(path, route.protocol);
    m.requests.inc();
    try {
      if (req.method !== "POST" && req.method !== "PUT") {
        throw new HttpError(405, `unsupported method ${req.method} for ${path}; use POST`);
      }
      const q = req.url.indexOf("?");
      const query = q < 0 ? "" : req.url.slice(q + 1);
      if (query !== "") parseExtraLabels(new URLSearchParams(query));
      const ce = req.headers.get("content-encoding");
      const enc = ce === null && route.defaultEncoding === "snappy" ? BodyEncoding.Snappy : encodingOf(ce);
      if (enc === undefined) {
        throw new HttpError(
          415,
          `unsupported Content-Encoding ${JSON.stringify(ce)}; supported: gzip, deflate, snappy, zstd`,
        );
      }
      await limiter.acquire();
      try {
        const body = await readBodyLimited(req, route.maxBodySize(cfg), route.sizeFlag);
        const r = await pool.push(route.type, enc, query, body, contentKindOf(req.headers.get("content-type")));
        if (r.status >= 300) throw new HttpError(r.status, r.message ?? "error");
        const headers: Record<string, string> = {};
        if (route.successContentType !== undefined) headers["Content-Type"] = route.successContentType;
        return new Response(route.successBody ?? null, { status: route.successStatus, headers });
      } finally {
        limiter.release();
      }
    } catch (err: unknown) {
      m.errors.inc();
      const status = err instanceof HttpError ? err.status : 500;
      const msg = err instanceof Error ? err.message : String(err);
      const fwd = req.headers.get("x-forwarded-for");
      requestErrors.warn(
        `remoteAddr: ${remoteAddr}${fwd === null ? "" : `, X-Forwarded-For: ${fwd}`}; requestURI: ${path}; ${msg}`,
      );
      const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
      if (status === 429 || status === 503) headers["Retry-After"] = "1";
      return new Response(`${msg}\n`, { status, headers });
    }
  }

  function text(body: string, status = 200): Response {
    return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }

  return Bun.serve({
    hostname,
    port,
    // Every handler limits its body itself (readBodyLimited) and answers 413
    // with a message naming the flag; Bun's own limit would answer an empty 413.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: 60,
    async fetch(req, server) {
      const path = pathOf(req.url);
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
          return /[?&]verbose=true(&|$)/.test(req.url)
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
          const page = opts.builtins ? (hooks.page?.(path, req) ?? null) : null;
          if (page !== null) return page;
          const route = routes.get(path);
          if (route?.kind === "push") return push(req, route.paths[0]!, route, remoteAddrOf(server, req));
          if (route?.kind === "static") return route.respond(req, cfg);
          metricsFor("unsupported", "http").errors.inc();
          return text(`unsupported path requested: ${JSON.stringify(path)}\n`, 400);
        }
      }
    },
    error(err) {
      log.error(`unexpected error in HTTP handler: ${err.message}`);
      return text(`internal error: ${err.message}\n`, 500);
    },
  });
}
