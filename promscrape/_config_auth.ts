/**
 * The HTTP client options of a `scrape_config` (and their `proxy_*` twins): `authorization`,
 * `basic_auth`, `bearer_token(_file)`, `oauth2`, `tls_config`, `headers`, with the validation of
 * VictoriaMetrics' lib/promauth.
 *
 * Secret files (`*_file`) are resolved against the config directory but NOT read here: current
 * vmagent re-reads them on use (so rotated tokens and certificates are picked up without a
 * reload) and accepts a config whose files do not exist yet. Inline secrets are kept as given.
 */

import { isAbsolute, join } from "node:path";
import type { HeaderPair } from "../config/flags.ts";
import { type YNode, type YamlCtx, bool, fail, fields, joinPath, str, strList, strMap } from "../config/yaml.ts";

export interface TLSSettings {
  /** Inline PEM. */
  readonly ca: string | null;
  /** Absolute path (or http(s) URL); read on use. */
  readonly caFile: string | null;
  readonly cert: string | null;
  readonly certFile: string | null;
  readonly key: string | null;
  readonly keyFile: string | null;
  readonly serverName: string;
  readonly insecureSkipVerify: boolean;
  /** "" (library default) or one of TLS10, TLS11, TLS12, TLS13. */
  readonly minVersion: string;
}

export interface AuthorizationSettings {
  /** Defaults to "Bearer". */
  readonly type: string;
  readonly credentials: string | null;
  readonly credentialsFile: string | null;
}

export interface BasicAuthSettings {
  readonly username: string;
  readonly usernameFile: string | null;
  readonly password: string | null;
  readonly passwordFile: string | null;
}

export interface OAuth2Settings {
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly clientSecretFile: string | null;
  readonly scopes: readonly string[];
  readonly tokenURL: string;
  readonly endpointParams: readonly HeaderPair[];
  readonly tls: TLSSettings | null;
  readonly proxyURL: string | null;
  readonly headers: readonly HeaderPair[];
}

/** At most one of authorization, basicAuth, bearerToken/bearerTokenFile and oauth2 is set. */
export interface HTTPClientSettings {
  readonly authorization: AuthorizationSettings | null;
  readonly basicAuth: BasicAuthSettings | null;
  readonly bearerToken: string | null;
  readonly bearerTokenFile: string | null;
  readonly oauth2: OAuth2Settings | null;
  readonly tls: TLSSettings | null;
  readonly headers: readonly HeaderPair[];
}

/** YAML keys of the HTTP client options, without and with the `proxy_` prefix. */
export const HTTP_CLIENT_FIELDS = ["authorization", "basic_auth", "bearer_token", "bearer_token_file", "oauth2", "tls_config", "headers"];
export const PROXY_CLIENT_FIELDS = HTTP_CLIENT_FIELDS.map((f) => `proxy_${f}`);

const TLS_FIELDS = new Set(["ca", "ca_file", "cert", "cert_file", "key", "key_file", "server_name", "insecure_skip_verify", "min_version"]);
const AUTHORIZATION_FIELDS = new Set(["type", "credentials", "credentials_file"]);
const BASIC_AUTH_FIELDS = new Set(["username", "username_file", "password", "password_file"]);
const OAUTH2_FIELDS = new Set([
  "client_id",
  "client_secret",
  "client_secret_file",
  "scopes",
  "token_url",
  "endpoint_params",
  "tls_config",
  "proxy_url",
  "headers",
]);
const TLS_VERSIONS = new Set(["TLS10", "TLS11", "TLS12", "TLS13"]);
const PROXY_SCHEMES = new Set(["http:", "https:", "socks5:", "tls+socks5:"]);

/** Resolves a file reference against the config directory; URLs and absolute paths stay. */
export function resolveFile(baseDir: string, p: string): string {
  if (/^https?:\/\//i.test(p) || isAbsolute(p)) return p;
  return join(baseDir, p);
}

/**
 * Reads the HTTP client options from a scrape_config's fields. `prefix` is "" or "proxy_".
 * @throws TypeError naming the path for conflicting or missing options.
 */
export function parseHTTPClient(
  ctx: YamlCtx,
  f: ReadonlyMap<string, YNode>,
  path: string,
  prefix: "" | "proxy_",
  baseDir: string,
): HTTPClientSettings {
  const at = (k: string) => joinPath(path, prefix + k);
  const node = (k: string) => f.get(prefix + k) ?? null;
  const file = (n: YNode, p: string) => {
    const s = str(ctx, n, p);
    return s === null || s === "" ? null : resolveFile(baseDir, s);
  };

  let authorization: AuthorizationSettings | null = null;
  const azNode = node("authorization");
  if (azNode !== null) {
    const az = fields(ctx, azNode, at("authorization"), AUTHORIZATION_FIELDS);
    const credentials = str(ctx, az.get("credentials") ?? null, joinPath(at("authorization"), "credentials"));
    const credentialsFile = file(az.get("credentials_file") ?? null, joinPath(at("authorization"), "credentials_file"));
    if (credentials !== null && credentials !== "" && credentialsFile !== null) {
      fail(ctx, azNode, at("authorization"), "both `credentials` and `credentials_file` are set");
    }
    const type = str(ctx, az.get("type") ?? null, joinPath(at("authorization"), "type")) ?? "";
    authorization = { type: type === "" ? "Bearer" : type, credentials, credentialsFile };
  }

  let basicAuth: BasicAuthSettings | null = null;
  const baNode = node("basic_auth");
  if (baNode !== null) {
    const p = at("basic_auth");
    const ba = fields(ctx, baNode, p, BASIC_AUTH_FIELDS);
    const username = str(ctx, ba.get("username") ?? null, joinPath(p, "username")) ?? "";
    const usernameFile = file(ba.get("username_file") ?? null, joinPath(p, "username_file"));
    const password = str(ctx, ba.get("password") ?? null, joinPath(p, "password"));
    const passwordFile = file(ba.get("password_file") ?? null, joinPath(p, "password_file"));
    if (username === "" && usernameFile === null) fail(ctx, baNode, p, "missing `username`");
    if (username !== "" && usernameFile !== null) fail(ctx, baNode, p, "both `username` and `username_file` are set");
    if (password !== null && password !== "" && passwordFile !== null) {
      fail(ctx, baNode, p, "both `password` and `password_file` are set");
    }
    if (authorization !== null) fail(ctx, baNode, p, `cannot use both \`${prefix}authorization\` and \`${prefix}basic_auth\``);
    basicAuth = { username, usernameFile, password, passwordFile };
  }

  let bearerToken = str(ctx, node("bearer_token"), at("bearer_token"));
  if (bearerToken === "") bearerToken = null;
  const bearerTokenFile = file(node("bearer_token_file"), at("bearer_token_file"));
  if (bearerToken !== null || bearerTokenFile !== null) {
    const p = at(bearerToken !== null ? "bearer_token" : "bearer_token_file");
    const n = node(bearerToken !== null ? "bearer_token" : "bearer_token_file");
    if (bearerToken !== null && bearerTokenFile !== null) {
      fail(ctx, n, path, `both \`${prefix}bearer_token\` and \`${prefix}bearer_token_file\` are set`);
    }
    if (authorization !== null || basicAuth !== null) {
      fail(ctx, n, p, `cannot be used together with \`${prefix}authorization\` or \`${prefix}basic_auth\``);
    }
  }

  let oauth2: OAuth2Settings | null = null;
  const oaNode = node("oauth2");
  if (oaNode !== null) {
    const p = at("oauth2");
    if (authorization !== null || basicAuth !== null || bearerToken !== null || bearerTokenFile !== null) {
      fail(ctx, oaNode, p, `cannot be used together with \`${prefix}authorization\`, \`${prefix}basic_auth\` or \`${prefix}bearer_token\``);
    }
    oauth2 = parseOAuth2(ctx, oaNode, p, baseDir);
  }

  const tlsNode = node("tls_config");
  return {
    authorization,
    basicAuth,
    bearerToken,
    bearerTokenFile,
    oauth2,
    tls: tlsNode === null ? null : parseTLS(ctx, tlsNode, at("tls_config"), baseDir),
    headers: parseHeaderList(ctx, node("headers"), at("headers")),
  };
}

function parseOAuth2(ctx: YamlCtx, n: YNode, path: string, baseDir: string): OAuth2Settings {
  const f = fields(ctx, n, path, OAUTH2_FIELDS);
  const s = (k: string) => str(ctx, f.get(k) ?? null, joinPath(path, k));
  const clientId = s("client_id") ?? "";
  const clientSecret = s("client_secret");
  const secretFile = s("client_secret_file");
  const tokenURL = s("token_url") ?? "";
  const hasSecret = clientSecret !== null && clientSecret !== "";
  const hasFile = secretFile !== null && secretFile !== "";
  if (clientId === "") fail(ctx, n, path, "missing `client_id`");
  if (!hasSecret && !hasFile) fail(ctx, n, path, "missing `client_secret` or `client_secret_file`");
  if (hasSecret && hasFile) fail(ctx, n, path, "both `client_secret` and `client_secret_file` are set");
  if (tokenURL === "") fail(ctx, n, path, "missing `token_url`");
  const tlsNode = f.get("tls_config") ?? null;
  const proxyURL = parseProxyURL(ctx, f.get("proxy_url") ?? null, joinPath(path, "proxy_url"));
  return {
    clientId,
    clientSecret: hasSecret ? clientSecret : null,
    clientSecretFile: hasFile ? resolveFile(baseDir, secretFile) : null,
    scopes: strList(ctx, f.get("scopes") ?? null, joinPath(path, "scopes")),
    tokenURL,
    endpointParams: strMap(ctx, f.get("endpoint_params") ?? null, joinPath(path, "endpoint_params")),
    tls: tlsNode === null ? null : parseTLS(ctx, tlsNode, joinPath(path, "tls_config"), baseDir),
    proxyURL,
    headers: parseHeaderList(ctx, f.get("headers") ?? null, joinPath(path, "headers")),
  };
}

function parseTLS(ctx: YamlCtx, n: YNode, path: string, baseDir: string): TLSSettings {
  const f = fields(ctx, n, path, TLS_FIELDS);
  const s = (k: string) => {
    const v = str(ctx, f.get(k) ?? null, joinPath(path, k));
    return v === "" ? null : v;
  };
  const pem = (k: string) => {
    const v = s(k);
    if (v !== null && !v.includes("-----BEGIN ")) fail(ctx, f.get(k) ?? null, joinPath(path, k), "cannot parse PEM data");
    return v;
  };
  const file = (k: string) => {
    const v = s(k);
    return v === null ? null : resolveFile(baseDir, v);
  };
  const minVersion = s("min_version") ?? "";
  if (minVersion !== "" && !TLS_VERSIONS.has(minVersion)) {
    fail(ctx, f.get("min_version") ?? null, joinPath(path, "min_version"), `unsupported TLS version ${JSON.stringify(minVersion)}; supported values: TLS10, TLS11, TLS12, TLS13`);
  }
  const tls: TLSSettings = {
    ca: pem("ca"),
    caFile: file("ca_file"),
    cert: pem("cert"),
    certFile: file("cert_file"),
    key: pem("key"),
    keyFile: file("key_file"),
    serverName: s("server_name") ?? "",
    insecureSkipVerify: bool(ctx, f.get("insecure_skip_verify") ?? null, joinPath(path, "insecure_skip_verify")) ?? false,
    minVersion,
  };
  const hasCert = tls.cert !== null || tls.certFile !== null;
  const hasKey = tls.key !== null || tls.keyFile !== null;
  if (hasCert !== hasKey) fail(ctx, n, path, hasCert ? "missing `key` or `key_file` for the client certificate" : "missing `cert` or `cert_file` for the client key");
  return tls;
}

/** `["Name: value", …]` → pairs; names and values trimmed. */
export function parseHeaderList(ctx: YamlCtx, n: YNode, path: string): HeaderPair[] {
  return strList(ctx, n, path).map((h, i): HeaderPair => {
    const colon = h.indexOf(":");
    const name = colon < 0 ? "" : h.slice(0, colon).trim();
    if (name === "") {
      fail(ctx, n, `${path}[${i}]`, `${colon < 0 ? "missing ':' in" : "empty name in"} header ${JSON.stringify(h)}; want "Name: value"`);
    }
    return [name, h.slice(colon + 1).trim()];
  });
}

/** `proxy_url`: http, https, socks5 or tls+socks5; null when unset or empty. */
export function parseProxyURL(ctx: YamlCtx, n: YNode, path: string): string | null {
  const s = str(ctx, n, path);
  if (s === null || s === "") return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    fail(ctx, n, path, `cannot parse URL ${JSON.stringify(maskURL(s))}`);
  }
  if (!PROXY_SCHEMES.has(u.protocol)) {
    fail(ctx, n, path, `unsupported scheme ${JSON.stringify(u.protocol.slice(0, -1))}; supported values: http, https, socks5, tls+socks5`);
  }
  return s;
}

/** Hides the password of `scheme://user:pass@host` URLs. */
export function maskURL(s: string): string {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/@]*@/i, "$1:<secret>@");
}
