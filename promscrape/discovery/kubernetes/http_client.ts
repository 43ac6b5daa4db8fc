/**
 * The HTTP client settings shared by API-based service discovery
 * (`basic_auth`, `authorization`, `bearer_token(_file)`, `oauth2`,
 * `tls_config`, `proxy_url`, `follow_redirects`, `headers`) with
 * VictoriaMetrics' `lib/promauth` validation, and the small client that
 * applies them to `fetch`.
 *
 * Parsing yields frozen plain data (safe to post between threads); the
 * {@linkcode HTTPClient} is built later, inside the thread that runs the
 * discoverer, because it reads files relative to the config directory.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { checkFields, expectMap, getBool, getString, getStringList, getStringMap, type YamlMap } from "./_yaml.ts";

/** `tls_config`. Inline PEM (`ca`, `cert`, `key`) or file paths. */
export interface TLSConfig {
  readonly ca: string;
  readonly caFile: string;
  readonly cert: string;
  readonly certFile: string;
  readonly key: string;
  readonly keyFile: string;
  readonly serverName: string;
  readonly insecureSkipVerify: boolean;
  readonly minVersion: string;
}

/** `oauth2` (client-credentials grant). */
export interface OAuth2Config {
  readonly clientID: string;
  readonly clientSecret: string;
  readonly clientSecretFile: string;
  readonly scopes: readonly string[];
  readonly tokenURL: string;
  readonly endpointParams: readonly (readonly [string, string])[];
  readonly tlsConfig: TLSConfig | null;
  readonly proxyURL: string;
}

/** The validated client settings of one `*_sd_configs` entry. */
export interface HTTPClientConfig {
  readonly basicAuth: { readonly username: string; readonly password: string; readonly passwordFile: string } | null;
  readonly authorization: { readonly type: string; readonly credentials: string; readonly credentialsFile: string } | null;
  readonly bearerToken: string;
  readonly bearerTokenFile: string;
  readonly oauth2: OAuth2Config | null;
  readonly tlsConfig: TLSConfig | null;
  readonly proxyURL: string;
  readonly followRedirects: boolean;
  /** From `headers: ["Name: value"]`. */
  readonly headers: readonly (readonly [string, string])[];
}

/** YAML keys owned by {@linkcode parseHTTPClientConfig}; callers merge them into their allowed set. */
export const HTTP_CLIENT_FIELDS: ReadonlySet<string> = new Set([
  "basic_auth",
  "authorization",
  "bearer_token",
  "bearer_token_file",
  "oauth2",
  "tls_config",
  "proxy_url",
  "follow_redirects",
  "enable_http2",
  "headers",
]);

const TLS_FIELDS = new Set(["ca", "ca_file", "cert", "cert_file", "key", "key_file", "server_name", "insecure_skip_verify", "min_version"]);
const BASIC_FIELDS = new Set(["username", "password", "password_file"]);
const AUTHZ_FIELDS = new Set(["type", "credentials", "credentials_file"]);
const OAUTH2_FIELDS = new Set([
  "client_id",
  "client_secret",
  "client_secret_file",
  "scopes",
  "token_url",
  "endpoint_params",
  "tls_config",
  "proxy_url",
]);

/** Parses `tls_config` (`null` when absent). */
export function parseTLSConfig(raw: unknown, path: string, strict: boolean): TLSConfig | null {
  if (raw === undefined || raw === null) return null;
  const m = expectMap(raw, path);
  checkFields(m, TLS_FIELDS, path, strict);
  const c: TLSConfig = {
    ca: getString(m, "ca", path),
    caFile: getString(m, "ca_file", path),
    cert: getString(m, "cert", path),
    certFile: getString(m, "cert_file", path),
    key: getString(m, "key", path),
    keyFile: getString(m, "key_file", path),
    serverName: getString(m, "server_name", path),
    insecureSkipVerify: getBool(m, "insecure_skip_verify", path, false),
    minVersion: getString(m, "min_version", path),
  };
  if (c.ca !== "" && c.caFile !== "") throw new TypeError(`${path}: ca and ca_file cannot be set simultaneously`);
  if (c.cert !== "" && c.certFile !== "") throw new TypeError(`${path}: cert and cert_file cannot be set simultaneously`);
  if (c.key !== "" && c.keyFile !== "") throw new TypeError(`${path}: key and key_file cannot be set simultaneously`);
  if ((c.cert !== "" || c.certFile !== "") !== (c.key !== "" || c.keyFile !== "")) {
    throw new TypeError(`${path}: cert and key must be set together`);
  }
  if (c.minVersion !== "" && !["TLS10", "TLS11", "TLS12", "TLS13"].includes(c.minVersion)) {
    throw new TypeError(`${path}.min_version: unsupported value ${JSON.stringify(c.minVersion)}; want TLS10, TLS11, TLS12 or TLS13`);
  }
  return Object.freeze(c);
}

/** Validates the client fields of `m` (a whole `*_sd_configs` entry). */
export function parseHTTPClientConfig(m: YamlMap, path: string, strict: boolean): HTTPClientConfig {
  let basicAuth: HTTPClientConfig["basicAuth"] = null;
  if (m.basic_auth !== undefined && m.basic_auth !== null) {
    const p = `${path}.basic_auth`;
    const b = expectMap(m.basic_auth, p);
    checkFields(b, BASIC_FIELDS, p, strict);
    basicAuth = Object.freeze({
      username: getString(b, "username", p),
      password: getString(b, "password", p),
      passwordFile: getString(b, "password_file", p),
    });
    if (basicAuth.username === "") throw new TypeError(`${p}: missing username`);
    if (basicAuth.password !== "" && basicAuth.passwordFile !== "") {
      throw new TypeError(`${p}: password and password_file cannot be set simultaneously`);
    }
  }
  let authorization: HTTPClientConfig["authorization"] = null;
  if (m.authorization !== undefined && m.authorization !== null) {
    const p = `${path}.authorization`;
    const a = expectMap(m.authorization, p);
    checkFields(a, AUTHZ_FIELDS, p, strict);
    authorization = Object.freeze({
      type: getString(a, "type", p, "Bearer") || "Bearer",
      credentials: getString(a, "credentials", p),
      credentialsFile: getString(a, "credentials_file", p),
    });
    if (authorization.credentials !== "" && authorization.credentialsFile !== "") {
      throw new TypeError(`${p}: credentials and credentials_file cannot be set simultaneously`);
    }
  }
  const bearerToken = getString(m, "bearer_token", path);
  const bearerTokenFile = getString(m, "bearer_token_file", path);
  if (bearerToken !== "" && bearerTokenFile !== "") {
    throw new TypeError(`${path}: bearer_token and bearer_token_file cannot be set simultaneously`);
  }
  let oauth2: OAuth2Config | null = null;
  if (m.oauth2 !== undefined && m.oauth2 !== null) {
    const p = `${path}.oauth2`;
    const o = expectMap(m.oauth2, p);
    checkFields(o, OAUTH2_FIELDS, p, strict);
    oauth2 = Object.freeze({
      clientID: getString(o, "client_id", p),
      clientSecret: getString(o, "client_secret", p),
      clientSecretFile: getString(o, "client_secret_file", p),
      scopes: getStringList(o, "scopes", p),
      tokenURL: getString(o, "token_url", p),
      endpointParams: getStringMap(o, "endpoint_params", p),
      tlsConfig: parseTLSConfig(o.tls_config, `${p}.tls_config`, strict),
      proxyURL: getString(o, "proxy_url", p),
    });
    if (oauth2.clientID === "") throw new TypeError(`${p}: missing client_id`);
    if (oauth2.tokenURL === "") throw new TypeError(`${p}: missing token_url`);
    if (oauth2.clientSecret !== "" && oauth2.clientSecretFile !== "") {
      throw new TypeError(`${p}: client_secret and client_secret_file cannot be set simultaneously`);
    }
  }
  const methods = [
    basicAuth !== null ? "basic_auth" : "",
    authorization !== null ? "authorization" : "",
    bearerToken !== "" || bearerTokenFile !== "" ? "bearer_token" : "",
    oauth2 !== null ? "oauth2" : "",
  ].filter((s) => s !== "");
  if (methods.length > 1) throw new TypeError(`${path}: ${methods.join(" and ")} cannot be set simultaneously`);
  const headers: (readonly [string, string])[] = [];
  for (const [i, h] of getStringList(m, "headers", path).entries()) {
    const n = h.indexOf(":");
    if (n <= 0) throw new TypeError(`${path}.headers[${i}]: missing ':' in header ${JSON.stringify(h)}; want "Name: value"`);
    headers.push(Object.freeze([h.slice(0, n).trim(), h.slice(n + 1).trim()] as const));
  }
  return Object.freeze({
    basicAuth,
    authorization,
    bearerToken,
    bearerTokenFile,
    oauth2,
    tlsConfig: parseTLSConfig(m.tls_config, `${path}.tls_config`, strict),
    proxyURL: getString(m, "proxy_url", path),
    followRedirects: getBool(m, "follow_redirects", path, true),
    headers: Object.freeze(headers),
  });
}

/** An empty client config (no auth, default TLS). */
export const NO_HTTP_CLIENT_CONFIG: HTTPClientConfig = Object.freeze({
  basicAuth: null,
  authorization: null,
  bearerToken: "",
  bearerTokenFile: "",
  oauth2: null,
  tlsConfig: null,
  proxyURL: "",
  followRedirects: true,
  headers: Object.freeze([]),
});

/** Resolves `p` against `baseDir` unless absolute. */
export function resolvePath(baseDir: string, p: string): string {
  return p === "" || isAbsolute(p) ? p : join(baseDir, p);
}

/** Reads a secret file the way promauth does: trailing whitespace is dropped. */
function readSecret(baseDir: string, p: string): string {
  return readFileSync(resolvePath(baseDir, p), "utf8").trimEnd();
}

interface BunTLS {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  serverName?: string;
}

/** Builds Bun's `fetch` TLS options; reads the PEM files once (at client creation). */
function buildTLS(c: TLSConfig | null, baseDir: string): BunTLS | undefined {
  if (c === null) return undefined;
  const t: BunTLS = {};
  const ca = c.caFile !== "" ? readFileSync(resolvePath(baseDir, c.caFile), "utf8") : c.ca;
  if (ca !== "") t.ca = ca;
  const cert = c.certFile !== "" ? readFileSync(resolvePath(baseDir, c.certFile), "utf8") : c.cert;
  if (cert !== "") t.cert = cert;
  const key = c.keyFile !== "" ? readFileSync(resolvePath(baseDir, c.keyFile), "utf8") : c.key;
  if (key !== "") t.key = key;
  if (c.insecureSkipVerify) t.rejectUnauthorized = false;
  if (c.serverName !== "") t.serverName = c.serverName;
  return t;
}

/** Request options beyond the standard `RequestInit` that Bun's `fetch` understands. */
type BunRequestInit = RequestInit & { tls?: BunTLS; proxy?: string };

/**
 * Applies one {@linkcode HTTPClientConfig} to requests. Secret files
 * (`password_file`, `bearer_token_file`, `credentials_file`) are re-read on
 * every request so rotated tokens (e.g. projected service-account tokens)
 * are picked up; the OAuth2 token is cached until shortly before it expires.
 * Owned by one discoverer; not shared between threads.
 */
export class HTTPClient {
  readonly #cfg: HTTPClientConfig;
  readonly #baseDir: string;
  readonly #tls: BunTLS | undefined;
  readonly #fetch: typeof fetch;
  #oauthToken = "";
  #oauthExpiresAt = 0;

  /** Throws when a TLS file cannot be read. */
  constructor(cfg: HTTPClientConfig, baseDir: string, fetchImpl: typeof fetch = fetch) {
    this.#cfg = cfg;
    this.#baseDir = baseDir;
    this.#tls = buildTLS(cfg.tlsConfig, baseDir);
    this.#fetch = fetchImpl;
  }

  /** Sends a GET with the configured auth, TLS, proxy and headers. */
  async get(url: string, signal: AbortSignal, extraHeaders?: Readonly<Record<string, string>>): Promise<Response> {
    const headers = new Headers();
    for (const [k, v] of this.#cfg.headers) headers.set(k, v);
    if (extraHeaders !== undefined) for (const [k, v] of Object.entries(extraHeaders)) headers.set(k, v);
    const auth = await this.#authHeader(signal);
    if (auth !== "") headers.set("Authorization", auth);
    const init: BunRequestInit = { method: "GET", headers, signal, redirect: this.#cfg.followRedirects ? "follow" : "manual" };
    if (this.#tls !== undefined) init.tls = this.#tls;
    if (this.#cfg.proxyURL !== "") init.proxy = this.#cfg.proxyURL;
    return this.#fetch(url, init);
  }

  async #authHeader(signal: AbortSignal): Promise<string> {
    const c = this.#cfg;
    if (c.basicAuth !== null) {
      const pw = c.basicAuth.passwordFile !== "" ? readSecret(this.#baseDir, c.basicAuth.passwordFile) : c.basicAuth.password;
      return `Basic ${Buffer.from(`${c.basicAuth.username}:${pw}`).toString("base64")}`;
    }
    if (c.authorization !== null) {
      const a = c.authorization;
      const cred = a.credentialsFile !== "" ? readSecret(this.#baseDir, a.credentialsFile) : a.credentials;
      return `${a.type} ${cred}`;
    }
    if (c.bearerTokenFile !== "") return `Bearer ${readSecret(this.#baseDir, c.bearerTokenFile)}`;
    if (c.bearerToken !== "") return `Bearer ${c.bearerToken}`;
    if (c.oauth2 !== null) return `Bearer ${await this.#oauth2Token(c.oauth2, signal)}`;
    return "";
  }

  async #oauth2Token(o: OAuth2Config, signal: AbortSignal): Promise<string> {
    if (this.#oauthToken !== "" && Date.now() < this.#oauthExpiresAt) return this.#oauthToken;
    const secret = o.clientSecretFile !== "" ? readSecret(this.#baseDir, o.clientSecretFile) : o.clientSecret;
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    if (o.scopes.length > 0) body.set("scope", o.scopes.join(" "));
    for (const [k, v] of o.endpointParams) body.set(k, v);
    const init: BunRequestInit = {
      method: "POST",
      signal,
      body,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${Buffer.from(`${encodeURIComponent(o.clientID)}:${encodeURIComponent(secret)}`).toString("base64")}`,
      },
    };
    const tls = buildTLS(o.tlsConfig, this.#baseDir);
    if (tls !== undefined) init.tls = tls;
    if (o.proxyURL !== "") init.proxy = o.proxyURL;
    const resp = await this.#fetch(o.tokenURL, init);
    const text = await resp.text();
    if (resp.status !== 200) throw new Error(`Cannot obtain OAuth2 token from ${o.tokenURL}: status ${resp.status}: ${text.slice(0, 200)}`);
    const j = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
    if (typeof j.access_token !== "string" || j.access_token === "") {
      throw new Error(`Cannot obtain OAuth2 token from ${o.tokenURL}: missing access_token`);
    }
    const ttl = typeof j.expires_in === "number" && j.expires_in > 0 ? j.expires_in * 1000 : 3600_000;
    this.#oauthToken = j.access_token;
    // Refresh a little early so a request never carries a token that expires in flight.
    this.#oauthExpiresAt = Date.now() + ttl * 0.9;
    return this.#oauthToken;
  }
}
