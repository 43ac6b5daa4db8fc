/**
 * Applies an {@linkcode HTTPClientConfig} to `fetch` requests, as
 * VictoriaMetrics' `promauth.Config` does to Go's: the caller's headers,
 * then the configured `headers`, then `Authorization` (so credentials win),
 * TLS, the proxy with its own credentials, and redirects. Secret and
 * certificate files are read for every request, so rotated ones are picked
 * up; OAuth2 tokens are cached (./oauth2.ts).
 *
 * @module
 */

import type { AuthConfig, HTTPClientConfig } from "./config.ts";
import { oauth2Header } from "./oauth2.ts";
import { proxyOption, readSecret, tlsOptions } from "./transport.ts";

/** What a request adds to the configured settings. */
export interface RequestOptions {
  readonly method?: string;
  /** Sent first: the configured `headers` and the credentials override them. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestInit["body"];
  readonly signal?: AbortSignal;
}

/**
 * The `Authorization` value for `a` ("" without credentials), reading
 * secret files now and fetching an OAuth2 token when needed.
 */
export async function authHeader(a: AuthConfig, fetchImpl: typeof fetch = fetch): Promise<string> {
  const az = a.authorization;
  if (az !== null) {
    const credentials = az.credentialsFile !== null
      ? await readSecret(az.credentialsFile, "credentials_file")
      : (az.credentials ?? "");
    return `${az.type} ${credentials}`;
  }
  const ba = a.basicAuth;
  if (ba !== null) {
    const user = ba.usernameFile !== null ? await readSecret(ba.usernameFile, "username_file") : ba.username;
    const pass = ba.passwordFile !== null ? await readSecret(ba.passwordFile, "password_file") : (ba.password ?? "");
    return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
  }
  if (a.bearerTokenFile !== null) return `Bearer ${await readSecret(a.bearerTokenFile, "bearer_token_file")}`;
  if (a.bearerToken !== null) return `Bearer ${a.bearerToken}`;
  if (a.oauth2 !== null) return await oauth2Header(a.oauth2, fetchImpl);
  return "";
}

/**
 * A client for one peer. Stateless apart from the injected `fetch` (tests);
 * cheap to create, safe to share within a thread.
 */
export class HTTPClient {
  readonly config: HTTPClientConfig;
  readonly #fetch: typeof fetch;

  constructor(config: HTTPClientConfig, fetchImpl: typeof fetch = fetch) {
    this.config = config;
    this.#fetch = fetchImpl;
  }

  /** Sends one request with the settings applied. Rejects as `fetch` does, or when a file cannot be read. */
  async fetch(url: string, o: RequestOptions = {}): Promise<Response> {
    return await this.#fetch(url, await this.requestInit(o));
  }

  /** The `fetch` options for one request. */
  async requestInit(o: RequestOptions = {}): Promise<BunFetchRequestInit> {
    const c = this.config;
    const headers = new Headers(o.headers);
    for (const [k, v] of c.auth.headers) headers.set(k, v);
    const auth = await authHeader(c.auth, this.#fetch);
    if (auth !== "") headers.set("Authorization", auth);
    const init: BunFetchRequestInit = {
      method: o.method ?? "GET",
      headers,
      redirect: c.followRedirects ? "follow" : "manual",
    };
    if (o.body !== undefined) init.body = o.body;
    if (o.signal !== undefined) init.signal = o.signal;
    const tls = await tlsOptions(c.auth.tls);
    if (tls !== undefined) init.tls = tls;
    if (c.proxyURL !== null) init.proxy = proxyOption(c.proxyURL, await this.#proxyHeaders());
    return init;
  }

  async #proxyHeaders(): Promise<Headers | null> {
    const p = this.config.proxy;
    const auth = await authHeader(p, this.#fetch);
    if (p.headers.length === 0 && auth === "") return null;
    const h = new Headers();
    for (const [k, v] of p.headers) h.set(k, v);
    if (auth !== "") h.set("Proxy-Authorization", auth);
    return h;
  }
}
