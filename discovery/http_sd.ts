/**
 * `http_sd_configs`: target groups fetched from an HTTP endpoint, as vmagent
 * does it (lib/promscrape/discovery/http):
 *
 * - GET `url` with `Accept: application/json` and
 *   `X-Prometheus-Refresh-Interval-Seconds: <-promscrape.httpSDCheckInterval in s>`,
 *   plus the entry's auth/TLS/proxy/header options (promauth).
 * - The body is a JSON list of `{targets: [...], labels: {...}}` (Prometheus
 *   HTTP SD format); other keys are ignored, wrong types are an error.
 * - Each target gets the group's labels, then `__address__` and `__meta_url`
 *   (the configured URL), the last two winning over same-named group labels.
 * - A fetch error, a non-200 status or a bad body keeps the previous targets.
 * - `refresh_interval` does not exist in vmagent: strict parsing rejects it.
 *
 * @module
 */

import { HTTPClient } from "../promauth/client.ts";
import type { HTTPClientConfig } from "../promauth/config.ts";
import { HTTP_CLIENT_FIELDS, parseSectionHTTPClient } from "../promauth/parse.ts";
import { asMap, describe, optString } from "./_parse_util.ts";
import { PollingDiscoverer } from "./_watch.ts";
import type { Discoverer, DiscoveryContext, DiscoveryKind, SDEntry, TargetLabels } from "./types.ts";

/** One validated `http_sd_configs` entry. */
export interface HttpSdConfig {
  readonly url: string;
  readonly client: HTTPClientConfig;
}

const FIELDS = new Set(["url", ...HTTP_CLIENT_FIELDS]);

/** The `http_sd_configs` kind; `create()` returns an {@linkcode HttpSdDiscoverer}. */
export const httpSdKind: DiscoveryKind<HttpSdConfig> = {
  key: "http_sd_configs",
  checkIntervalFlag: "promscrape.httpSDCheckInterval",
  defaultCheckIntervalMs: 60_000,
  parse({ raw, yaml, path, strict, baseDir }: SDEntry): HttpSdConfig {
    const m = asMap(raw, path, FIELDS, strict);
    return Object.freeze({
      url: optString(m.url, `${path}.url`) ?? "",
      client: parseSectionHTTPClient(yaml, path, baseDir),
    });
  },
  create(cfg: HttpSdConfig, ctx: DiscoveryContext): Discoverer {
    return new HttpSdDiscoverer("http_sd_configs", cfg, ctx);
  },
};

/** The running discoverer: one GET per check interval. */
export class HttpSdDiscoverer extends PollingDiscoverer {
  readonly #cfg: HttpSdConfig;
  readonly #ctx: DiscoveryContext;
  readonly #client: HTTPClient;

  constructor(name: string, cfg: HttpSdConfig, ctx: DiscoveryContext) {
    super(name, ctx);
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#client = new HTTPClient(cfg.client);
  }

  protected async round(signal: AbortSignal): Promise<readonly TargetLabels[]> {
    const url = this.#cfg.url;
    if (!URL.canParse(url)) throw new TypeError(`cannot parse http_sd URL ${JSON.stringify(url)}`);
    const body = await getBody(this.#client, url, signal, {
      Accept: "application/json",
      // Go's strconv.FormatFloat(seconds, 'f', 0): rounded to whole seconds.
      "X-Prometheus-Refresh-Interval-Seconds": Math.round(this.#ctx.checkIntervalMs / 1000).toFixed(0),
    });
    const path = new URL(url);
    return httpTargets(parseHttpSdResponse(body, `${path.pathname}${path.search}`), url);
  }
}

/** vmagent's discovery client timeout. */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * GETs `url` and returns the body. Throws on network errors, timeouts and
 * any status other than 200 (messages as vmagent's discovery client).
 */
async function getBody(
  client: HTTPClient,
  url: string,
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<string> {
  let resp: Response;
  try {
    resp = await client.fetch(url, {
      headers: { "User-Agent": "vm_promscrape/discovery", "Accept-Encoding": "gzip", ...headers },
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
  } catch (e) {
    throw new Error(`cannot fetch ${JSON.stringify(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const body = await resp.text();
  if (resp.status !== 200) {
    throw new Error(
      `unexpected status code returned from ${JSON.stringify(url)}: ${resp.status}; expecting 200; ` +
        `response body: ${JSON.stringify(body.slice(0, 1024))}`,
    );
  }
  return body;
}

/** One target group of an HTTP SD response. */
export interface HttpTargetGroup {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Decodes an HTTP SD body like Go's `json.Unmarshal` into
 * `[]httpGroupTarget`: unknown keys ignored, null lists/maps allowed,
 * non-string targets or label values rejected.
 */
export function parseHttpSdResponse(body: string, path: string): HttpTargetGroup[] {
  const fail = (why: string): never => {
    throw new SyntaxError(`cannot parse http_sd api response path=${JSON.stringify(path)}: ${why}`);
  };
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  if (v === null) return [];
  if (!Array.isArray(v)) return fail(`got ${describe(v)}; want a list of target groups`);
  return v.map((g: unknown, i): HttpTargetGroup => {
    if (g === null) return { targets: [], labels: {} };
    if (typeof g !== "object" || Array.isArray(g)) return fail(`[${i}]: got ${describe(g)}; want an object`);
    // encoding/json matches field names case-insensitively; a later key overwrites.
    let targets: unknown;
    let labels: unknown;
    for (const [k, x] of Object.entries(g)) {
      const lk = k.toLowerCase();
      if (lk === "targets") targets = x;
      else if (lk === "labels") labels = x;
    }
    const ts: string[] = [];
    if (targets !== null && targets !== undefined) {
      if (!Array.isArray(targets)) return fail(`[${i}].targets: got ${describe(targets)}; want a list of strings`);
      for (const t of targets) {
        if (typeof t !== "string") return fail(`[${i}].targets: got ${describe(t)}; want a string`);
        ts.push(t);
      }
    }
    const ls: Record<string, string> = {};
    if (labels !== null && labels !== undefined) {
      if (typeof labels !== "object" || Array.isArray(labels)) {
        return fail(`[${i}].labels: got ${describe(labels)}; want an object`);
      }
      for (const [k, x] of Object.entries(labels)) {
        if (typeof x !== "string") return fail(`[${i}].labels.${k}: got ${describe(x)}; want a string`);
        ls[k] = x;
      }
    }
    return { targets: ts, labels: ls };
  });
}

/** vmagent's `addHTTPTargetLabels`. */
export function httpTargets(groups: readonly HttpTargetGroup[], sourceUrl: string): TargetLabels[] {
  const out: TargetLabels[] = [];
  for (const g of groups) {
    for (const t of g.targets) out.push(Object.freeze({ ...g.labels, __address__: t, __meta_url: sourceUrl }));
  }
  return out;
}
