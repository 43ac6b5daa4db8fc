/**
 * HTTP client options of service discovery (vmagent lib/promauth
 * `HTTPClientConfig` + `ProxyClientConfig`, inlined into an SD entry) and a
 * small GET client applying them with `fetch`.
 *
 * Parsing checks only the YAML shape (what yaml.v2 would reject at config
 * load); semantic problems (both `password` and `password_file`, unreadable
 * files, a bad CA) surface at request time, as in vmagent, where they fail the
 * discovery round. Secret files are re-read on every request.
 *
 * Not supported by Bun's fetch, hence rejected at request time: `socks5://`
 * and `tls://` proxies. `tls_config.min_version` is validated but not applied.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { asMap, optBool, optString, optStringMap, stringList } from "./_parse_util.ts";

/** `authorization` section. */
export interface AuthorizationConfig {
  readonly type?: string;
  readonly credentials?: string;
  readonly credentialsFile?: string;
}

/** `basic_auth` section. */
export interface BasicAuthConfig {
  readonly username: string;
  readonly password?: string;
  readonly passwordFile?: string;
}

/** `tls_config` section. */
export interface TlsConfig {
  readonly ca?: string;
  readonly caFile?: string;
  readonly cert?: string;
  readonly certFile?: string;
  readonly key?: string;
  readonly keyFile?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify: boolean;
  readonly minVersion?: string;
}

/** `oauth2` section (client credentials grant). */
export interface OAuth2Config {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly clientSecretFile?: string;
  readonly scopes: readonly string[];
  readonly tokenUrl: string;
  readonly endpointParams: Readonly<Record<string, string>>;
  readonly tls?: TlsConfig;
  readonly proxyUrl?: string;
}

/** Auth options; the same shape serves the target and (with `proxy_` keys) the proxy. */
export interface AuthOptions {
  readonly authorization?: AuthorizationConfig;
  readonly basicAuth?: BasicAuthConfig;
  readonly bearerToken?: string;
  readonly bearerTokenFile?: string;
  readonly oauth2?: OAuth2Config;
  readonly tls?: TlsConfig;
  /** `"Name: value"` strings, as written. */
  readonly headers: readonly string[];
}

/** Every HTTP client option of one SD entry; plain frozen data. */
export interface HttpClientOptions extends AuthOptions {
  readonly followRedirects?: boolean;
  readonly proxyUrl?: string;
  readonly proxy: AuthOptions;
}

/** Keys consumed by {@linkcode parseHttpClientOptions}, for the caller's unknown-field check. */
export const HTTP_CLIENT_FIELDS: ReadonlySet<string> = new Set([
  "authorization",
  "basic_auth",
  "bearer_token",
  "bearer_token_file",
  "oauth2",
  "tls_config",
  "headers",
  "follow_redirects",
  "proxy_url",
  "proxy_authorization",
  "proxy_basic_auth",
  "proxy_bearer_token",
  "proxy_bearer_token_file",
  "proxy_oauth2",
  "proxy_tls_config",
  "proxy_headers",
]);

const AUTHZ_FIELDS = new Set(["type", "credentials", "credentials_file"]);
const BASIC_FIELDS = new Set(["username", "password", "password_file"]);
const TLS_FIELDS = new Set(["ca", "ca_file", "cert", "cert_file", "key", "key_file", "server_name", "insecure_skip_verify", "min_version"]);
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

/** Reads the HTTP client keys of an SD entry map `m` located at `path`. */
export function parseHttpClientOptions(m: Record<string, unknown>, path: string, strict: boolean): HttpClientOptions {
  const proxyUrl = optString(m.proxy_url, `${path}.proxy_url`);
  if (proxyUrl !== undefined && proxyUrl !== "" && !URL.canParse(proxyUrl)) {
    throw new TypeError(`${path}.proxy_url: cannot parse ${JSON.stringify(proxyUrl)} as a URL`);
  }
  const followRedirects = optBool(m.follow_redirects, `${path}.follow_redirects`);
  return Object.freeze({
    ...parseAuth(m, path, strict, ""),
    ...(followRedirects !== undefined && { followRedirects }),
    ...(proxyUrl !== undefined && proxyUrl !== "" && { proxyUrl }),
    proxy: parseAuth(m, path, strict, "proxy_"),
  });
}

function parseAuth(m: Record<string, unknown>, path: string, strict: boolean, prefix: string): AuthOptions {
  const p = (k: string): string => `${path}.${prefix}${k}`;
  const out: {
    -readonly [K in keyof AuthOptions]: AuthOptions[K];
  } = { headers: Object.freeze(stringList(m[`${prefix}headers`], p("headers"))) };
  const az = m[`${prefix}authorization`];
  if (az !== null && az !== undefined) {
    const a = asMap(az, p("authorization"), AUTHZ_FIELDS, strict);
    out.authorization = Object.freeze(
      strip({
        type: optString(a.type, `${p("authorization")}.type`),
        credentials: optString(a.credentials, `${p("authorization")}.credentials`),
        credentialsFile: optString(a.credentials_file, `${p("authorization")}.credentials_file`),
      }),
    );
  }
  const ba = m[`${prefix}basic_auth`];
  if (ba !== null && ba !== undefined) {
    const b = asMap(ba, p("basic_auth"), BASIC_FIELDS, strict);
    out.basicAuth = Object.freeze({
      username: optString(b.username, `${p("basic_auth")}.username`) ?? "",
      ...strip({
        password: optString(b.password, `${p("basic_auth")}.password`),
        passwordFile: optString(b.password_file, `${p("basic_auth")}.password_file`),
      }),
    });
  }
  const bt = optString(m[`${prefix}bearer_token`], p("bearer_token"));
  if (bt !== undefined && bt !== "") out.bearerToken = bt;
  const btf = optString(m[`${prefix}bearer_token_file`], p("bearer_token_file"));
  if (btf !== undefined && btf !== "") out.bearerTokenFile = btf;
  const tls = m[`${prefix}tls_config`];
  if (tls !== null && tls !== undefined) out.tls = parseTls(tls, p("tls_config"), strict);
  const o2 = m[`${prefix}oauth2`];
  if (o2 !== null && o2 !== undefined) {
    const o = asMap(o2, p("oauth2"), OAUTH2_FIELDS, strict);
    const q = (k: string): string => `${p("oauth2")}.${k}`;
    out.oauth2 = Object.freeze({
      clientId: optString(o.client_id, q("client_id")) ?? "",
      tokenUrl: optString(o.token_url, q("token_url")) ?? "",
      scopes: Object.freeze(stringList(o.scopes, q("scopes"))),
      endpointParams: Object.freeze(optStringMap(o.endpoint_params, q("endpoint_params")) ?? {}),
      ...strip({
        clientSecret: optString(o.client_secret, q("client_secret")),
        clientSecretFile: optString(o.client_secret_file, q("client_secret_file")),
        proxyUrl: optString(o.proxy_url, q("proxy_url")),
      }),
      ...(o.tls_config !== null && o.tls_config !== undefined && { tls: parseTls(o.tls_config, q("tls_config"), strict) }),
    });
  }
  return Object.freeze(out);
}

function parseTls(raw: unknown, path: string, strict: boolean): TlsConfig {
  const t = asMap(raw, path, TLS_FIELDS, strict);
  const s = (k: string): string | undefined => optString(t[k], `${path}.${k}`);
  return Object.freeze({
    insecureSkipVerify: optBool(t.insecure_skip_verify, `${path}.insecure_skip_verify`) ?? false,
    ...strip({
      ca: s("ca"),
      caFile: s("ca_file"),
      cert: s("cert"),
      certFile: s("cert_file"),
      key: s("key"),
      keyFile: s("key_file"),
      serverName: s("server_name"),
      minVersion: s("min_version"),
    }),
  });
}

/** Drops undefined and empty-string values (Go zero values mean "not set"). */
function strip<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  const out: { [K in keyof T]?: string } = {};
  for (const k of Object.keys(o) as (keyof T)[]) {
    const v = o[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}

/**
 * A GET client for one SD endpoint. Stateless apart from a cached OAuth2
 * token; safe to use from one thread for the discoverer's lifetime.
 */
export class DiscoveryHttpClient {
  readonly #opts: HttpClientOptions;
  readonly #baseDir: string;
  readonly #timeoutMs: number;
  #token: { header: string; expiresAt: number } | null = null;

  constructor(opts: HttpClientOptions, baseDir: string, timeoutMs = 60_000) {
    this.#opts = opts;
    this.#baseDir = baseDir;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * GETs `url` and returns the body. Throws on network errors, timeouts and
   * any status other than 200 (message as vmagent's discovery client).
   */
  async get(url: string, extraHeaders: Readonly<Record<string, string>>, signal: AbortSignal): Promise<string> {
    const o = this.#opts;
    const headers = new Headers({ "User-Agent": "vm_promscrape/discovery", "Accept-Encoding": "gzip" });
    for (const [k, v] of parseHeaders(o.headers)) headers.set(k, v);
    const auth = await this.#authHeader(o, signal);
    if (auth !== "") headers.set("Authorization", auth);
    for (const [k, v] of Object.entries(extraHeaders)) headers.set(k, v);

    const init: BunFetchRequestInit = { headers, redirect: o.followRedirects === false ? "manual" : "follow" };
    const tls = await this.#tlsOptions(o.tls);
    if (tls !== undefined) init.tls = tls;
    if (o.proxyUrl !== undefined) {
      const scheme = new URL(o.proxyUrl).protocol;
      if (scheme !== "http:" && scheme !== "https:") {
        throw new TypeError(`unsupported proxy_url scheme ${JSON.stringify(scheme)}; supported: http, https`);
      }
      const ph = new Headers();
      for (const [k, v] of parseHeaders(o.proxy.headers)) ph.set(k, v);
      const pa = await this.#authHeader(o.proxy, signal);
      if (pa !== "") ph.set("Proxy-Authorization", pa);
      init.proxy = { url: o.proxyUrl, headers: ph };
    }
    const timeout = new AbortController();
    const onAbort = (): void => timeout.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => timeout.abort(new Error(`timeout after ${this.#timeoutMs}ms`)), this.#timeoutMs);
    init.signal = timeout.signal;
    try {
      let resp: Response;
      try {
        resp = await fetch(url, init);
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
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  }

  #path(p: string): string {
    return isAbsolute(p) ? p : join(this.#baseDir, p);
  }

  async #secret(file: string, what: string): Promise<string> {
    try {
      return (await readFile(this.#path(file), "utf8")).trim();
    } catch (e) {
      throw new Error(`cannot read ${what} from ${JSON.stringify(file)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The `Authorization` value for `a`, with vmagent's mutual-exclusion checks. */
  async #authHeader(a: AuthOptions, signal: AbortSignal): Promise<string> {
    let header = "";
    let used = "";
    const claim = (name: string): void => {
      if (used !== "") throw new TypeError(`cannot use both \`${used}\` and \`${name}\``);
      used = name;
    };
    if (a.authorization !== undefined) {
      claim("authorization");
      const az = a.authorization;
      if (az.credentials !== undefined && az.credentialsFile !== undefined) {
        throw new TypeError("both `credentials` and `credentials_file` are set in `authorization` section");
      }
      const creds = az.credentialsFile !== undefined ? await this.#secret(az.credentialsFile, "`credentials_file`") : (az.credentials ?? "");
      header = `${az.type ?? "Bearer"} ${creds}`;
    }
    if (a.basicAuth !== undefined) {
      claim("basic_auth");
      const ba = a.basicAuth;
      if (ba.username === "") throw new TypeError("missing `username` in `basic_auth` section");
      if (ba.password !== undefined && ba.passwordFile !== undefined) {
        throw new TypeError("both `password` and `password_file` are set in `basic_auth` section");
      }
      const pw = ba.passwordFile !== undefined ? await this.#secret(ba.passwordFile, "`password_file`") : (ba.password ?? "");
      header = `Basic ${Buffer.from(`${ba.username}:${pw}`).toString("base64")}`;
    }
    if (a.bearerTokenFile !== undefined) {
      claim("bearer_token_file");
      if (a.bearerToken !== undefined) throw new TypeError("both `bearer_token` and `bearer_token_file` are set");
      header = `Bearer ${await this.#secret(a.bearerTokenFile, "`bearer_token_file`")}`;
    }
    if (a.bearerToken !== undefined) {
      if (a.bearerTokenFile === undefined) claim("bearer_token");
      header = `Bearer ${a.bearerToken}`;
    }
    if (a.oauth2 !== undefined) {
      claim("oauth2");
      header = await this.#oauth2Header(a.oauth2, signal);
    }
    return header;
  }

  async #tlsOptions(t: TlsConfig | undefined): Promise<BunFetchRequestInit["tls"]> {
    if (t === undefined) return undefined;
    if (t.minVersion !== undefined && !["TLS10", "TLS11", "TLS12", "TLS13"].includes(t.minVersion.toUpperCase())) {
      throw new TypeError(`cannot parse \`min_version\`: unsupported TLS version ${JSON.stringify(t.minVersion)}`);
    }
    const read = async (inline: string | undefined, file: string | undefined, what: string): Promise<string | undefined> => {
      if (inline !== undefined) return inline;
      if (file === undefined) return undefined;
      try {
        return await readFile(this.#path(file), "utf8");
      } catch (e) {
        throw new Error(`cannot read \`${what}\` ${JSON.stringify(file)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const ca = await read(t.ca, t.caFile, "ca_file");
    const cert = await read(t.cert, t.certFile, "cert_file");
    const key = await read(t.key, t.keyFile, "key_file");
    return {
      rejectUnauthorized: !t.insecureSkipVerify,
      ...(ca !== undefined && { ca }),
      ...(cert !== undefined && { cert }),
      ...(key !== undefined && { key }),
      ...(t.serverName !== undefined && { serverName: t.serverName }),
    };
  }

  /** Client-credentials token, cached until 10s before expiry (golang.org/x/oauth2). */
  async #oauth2Header(o: OAuth2Config, signal: AbortSignal): Promise<string> {
    if (this.#token !== null && Date.now() < this.#token.expiresAt) return this.#token.header;
    if (o.clientId === "") throw new TypeError("client_id cannot be empty");
    if (o.clientSecret === undefined && o.clientSecretFile === undefined) {
      throw new TypeError("ClientSecret or ClientSecretFile must be set");
    }
    if (o.clientSecret !== undefined && o.clientSecretFile !== undefined) {
      throw new TypeError("ClientSecret and ClientSecretFile cannot be set simultaneously");
    }
    if (o.tokenUrl === "") throw new TypeError("token_url cannot be empty");
    const secret = o.clientSecretFile !== undefined ? await this.#secret(o.clientSecretFile, "OAuth2 secret") : (o.clientSecret ?? "");
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (o.scopes.length > 0) form.set("scope", o.scopes.join(" "));
    for (const [k, v] of Object.entries(o.endpointParams)) form.set(k, v);
    const init: BunFetchRequestInit = {
      method: "POST",
      body: form,
      signal,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
      },
    };
    const tls = await this.#tlsOptions(o.tls);
    if (tls !== undefined) init.tls = tls;
    if (o.proxyUrl !== undefined) init.proxy = o.proxyUrl;
    const resp = await fetch(o.tokenUrl, init);
    const body = await resp.text();
    if (resp.status < 200 || resp.status > 299) {
      throw new Error(`cannot get OAuth2 token: ${o.tokenUrl} returned ${resp.status}: ${body.slice(0, 512)}`);
    }
    let tok: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      tok = JSON.parse(body) as typeof tok;
    } catch {
      throw new Error(`cannot get OAuth2 token: cannot parse the response from ${o.tokenUrl}`);
    }
    if (typeof tok.access_token !== "string" || tok.access_token === "") {
      throw new Error("cannot get OAuth2 token: server response missing access_token");
    }
    const header = `${tokenType(typeof tok.token_type === "string" ? tok.token_type : "")} ${tok.access_token}`;
    const expiresIn = Number(tok.expires_in);
    const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? Date.now() + expiresIn * 1000 - 10_000 : Number.POSITIVE_INFINITY;
    this.#token = { header, expiresAt };
    return header;
  }
}

/** golang.org/x/oauth2 `Token.Type()`. */
function tokenType(t: string): string {
  switch (t.toLowerCase()) {
    case "":
    case "bearer":
      return "Bearer";
    case "mac":
      return "MAC";
    case "basic":
      return "Basic";
    default:
      return t;
  }
}

/** vmagent's `parseHeaders`: "Name: value", both sides trimmed. */
export function parseHeaders(headers: readonly string[]): [string, string][] {
  return headers.map((h) => {
    const n = h.indexOf(":");
    if (n < 0) throw new TypeError(`missing ':' in header ${JSON.stringify(h)}; expecting "key: value" format`);
    return [h.slice(0, n).trim(), h.slice(n + 1).trim()];
  });
}
