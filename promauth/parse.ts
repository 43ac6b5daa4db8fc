/**
 * The HTTP client options of a YAML section, as vmagent's lib/promauth
 * reads them with yaml.v2: `authorization`, `basic_auth`,
 * `bearer_token(_file)`, `oauth2`, `tls_config`, `headers`, their `proxy_*`
 * twins, `proxy_url` and `follow_redirects`. A scrape_config and every
 * `*_sd_configs` entry carry them inline.
 *
 * Every error names the YAML path of the offending value and its line
 * (config/yaml.ts). Secret files (`*_file`) are resolved against the config
 * directory but NOT read here: vmagent re-reads them on use and accepts a
 * config whose files do not exist yet. Inline secrets are kept as given.
 *
 * @module
 */

import type { HeaderPair } from "../config/flags.ts";
import {
  bool,
  fail,
  fields,
  joinPath,
  str,
  strList,
  strMap,
  type YamlCtx,
  type YamlValue,
  type YNode,
} from "../config/yaml.ts";
import {
  type AuthConfig,
  type AuthorizationConfig,
  type BasicAuthConfig,
  type HTTPClientConfig,
  maskURL,
  type OAuth2Config,
  resolveFile,
  type TLSConfig,
} from "./config.ts";
import { checkAuth } from "./validate.ts";

/** YAML keys of the credentials of one peer, without the `proxy_` prefix. */
const AUTH_FIELDS = [
  "authorization",
  "basic_auth",
  "bearer_token",
  "bearer_token_file",
  "oauth2",
  "tls_config",
  "headers",
];

/** Every YAML key {@linkcode parseHTTPClientConfig} reads; callers add them to their known fields. */
export const HTTP_CLIENT_FIELDS: ReadonlySet<string> = new Set([
  ...AUTH_FIELDS,
  ...AUTH_FIELDS.map((f) => `proxy_${f}`),
  "proxy_url",
  "follow_redirects",
]);

const TLS_FIELDS = new Set([
  "ca",
  "ca_file",
  "cert",
  "cert_file",
  "key",
  "key_file",
  "server_name",
  "insecure_skip_verify",
  "min_version",
]);
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

/**
 * Reads the client options from the fields `f` of the section at `path`.
 * @throws TypeError naming the path and line for malformed, conflicting or missing options.
 */
export function parseHTTPClientConfig(
  ctx: YamlCtx,
  f: ReadonlyMap<string, YNode>,
  path: string,
  baseDir: string,
): HTTPClientConfig {
  return Object.freeze({
    auth: parseAuthConfig(ctx, f, path, "", baseDir),
    proxyURL: parseProxyURL(ctx, f.get("proxy_url") ?? null, joinPath(path, "proxy_url")),
    proxy: parseAuthConfig(ctx, f, path, "proxy_", baseDir),
    followRedirects: bool(ctx, f.get("follow_redirects") ?? null, joinPath(path, "follow_redirects")) ?? true,
  });
}

/**
 * The client options of a section whose other fields its owner reads (an
 * `*_sd_configs` entry): unknown fields are left to the owner.
 */
export function parseSectionHTTPClient(v: YamlValue, path: string, baseDir: string): HTTPClientConfig {
  return parseHTTPClientConfig(v.ctx, fields(v.ctx, v.node, path, HTTP_CLIENT_FIELDS, () => true), path, baseDir);
}

/** Reads one peer's credentials; `prefix` is "" (the target) or "proxy_" (the proxy). */
export function parseAuthConfig(
  ctx: YamlCtx,
  f: ReadonlyMap<string, YNode>,
  path: string,
  prefix: "" | "proxy_",
  baseDir: string,
): AuthConfig {
  const at = (k: string) => joinPath(path, prefix + k);
  const node = (k: string) => f.get(prefix + k) ?? null;
  const file = (n: YNode, p: string) => {
    const s = str(ctx, n, p);
    return s === null || s === "" ? null : resolveFile(baseDir, s);
  };

  let authorization: AuthorizationConfig | null = null;
  const azNode = node("authorization");
  if (azNode !== null) {
    const p = at("authorization");
    const az = fields(ctx, azNode, p, AUTHORIZATION_FIELDS);
    const type = str(ctx, az.get("type") ?? null, joinPath(p, "type")) ?? "";
    authorization = Object.freeze({
      type: type === "" ? "Bearer" : type,
      credentials: str(ctx, az.get("credentials") ?? null, joinPath(p, "credentials")),
      credentialsFile: file(az.get("credentials_file") ?? null, joinPath(p, "credentials_file")),
    });
  }

  let basicAuth: BasicAuthConfig | null = null;
  const baNode = node("basic_auth");
  if (baNode !== null) {
    const p = at("basic_auth");
    const ba = fields(ctx, baNode, p, BASIC_AUTH_FIELDS);
    basicAuth = Object.freeze({
      username: str(ctx, ba.get("username") ?? null, joinPath(p, "username")) ?? "",
      usernameFile: file(ba.get("username_file") ?? null, joinPath(p, "username_file")),
      password: str(ctx, ba.get("password") ?? null, joinPath(p, "password")),
      passwordFile: file(ba.get("password_file") ?? null, joinPath(p, "password_file")),
    });
  }

  const bearerToken = str(ctx, node("bearer_token"), at("bearer_token"));
  const oaNode = node("oauth2");
  const tlsNode = node("tls_config");
  const auth: AuthConfig = Object.freeze({
    authorization,
    basicAuth,
    bearerToken: bearerToken === "" ? null : bearerToken,
    bearerTokenFile: file(node("bearer_token_file"), at("bearer_token_file")),
    oauth2: oaNode === null ? null : parseOAuth2(ctx, oaNode, at("oauth2"), baseDir),
    tls: tlsNode === null ? null : parseTLS(ctx, tlsNode, at("tls_config"), baseDir),
    headers: parseHeaderList(ctx, node("headers"), at("headers")),
  });
  const problem = checkAuth(auth, (o) => (o.includes(".") ? o.slice(o.indexOf(".") + 1) : prefix + o));
  if (problem !== null) fail(ctx, node(problem.key), problem.onKey ? at(problem.key) : path, problem.message);
  return auth;
}

function parseOAuth2(ctx: YamlCtx, n: YNode, path: string, baseDir: string): OAuth2Config {
  const f = fields(ctx, n, path, OAUTH2_FIELDS);
  const s = (k: string) => str(ctx, f.get(k) ?? null, joinPath(path, k));
  const secretFile = s("client_secret_file");
  const tlsNode = f.get("tls_config") ?? null;
  return Object.freeze({
    clientId: s("client_id") ?? "",
    clientSecret: s("client_secret") || null,
    clientSecretFile: secretFile === null || secretFile === "" ? null : resolveFile(baseDir, secretFile),
    scopes: strList(ctx, f.get("scopes") ?? null, joinPath(path, "scopes")),
    tokenURL: s("token_url") ?? "",
    endpointParams: strMap(ctx, f.get("endpoint_params") ?? null, joinPath(path, "endpoint_params")),
    tls: tlsNode === null ? null : parseTLS(ctx, tlsNode, joinPath(path, "tls_config"), baseDir),
    proxyURL: parseProxyURL(ctx, f.get("proxy_url") ?? null, joinPath(path, "proxy_url")),
    headers: parseHeaderList(ctx, f.get("headers") ?? null, joinPath(path, "headers")),
  });
}

function parseTLS(ctx: YamlCtx, n: YNode, path: string, baseDir: string): TLSConfig {
  const f = fields(ctx, n, path, TLS_FIELDS);
  const s = (k: string) => {
    const v = str(ctx, f.get(k) ?? null, joinPath(path, k));
    return v === "" ? null : v;
  };
  const pem = (k: string) => {
    const v = s(k);
    if (v !== null && !v.includes("-----BEGIN ")) {
      fail(ctx, f.get(k) ?? null, joinPath(path, k), "cannot parse PEM data");
    }
    return v;
  };
  const file = (k: string) => {
    const v = s(k);
    return v === null ? null : resolveFile(baseDir, v);
  };
  const minVersion = s("min_version") ?? "";
  if (minVersion !== "" && !TLS_VERSIONS.has(minVersion)) {
    fail(
      ctx,
      f.get("min_version") ?? null,
      joinPath(path, "min_version"),
      `unsupported TLS version ${JSON.stringify(minVersion)}; supported values: TLS10, TLS11, TLS12, TLS13`,
    );
  }
  const tls: TLSConfig = Object.freeze({
    ca: pem("ca"),
    caFile: file("ca_file"),
    cert: pem("cert"),
    certFile: file("cert_file"),
    key: pem("key"),
    keyFile: file("key_file"),
    serverName: s("server_name") ?? "",
    insecureSkipVerify: bool(ctx, f.get("insecure_skip_verify") ?? null, joinPath(path, "insecure_skip_verify")) ??
      false,
    minVersion,
  });
  const hasCert = tls.cert !== null || tls.certFile !== null;
  const hasKey = tls.key !== null || tls.keyFile !== null;
  if (hasCert !== hasKey) {
    fail(
      ctx,
      n,
      path,
      hasCert
        ? "missing `key` or `key_file` for the client certificate"
        : "missing `cert` or `cert_file` for the client key",
    );
  }
  return tls;
}

/** `["Name: value", …]` → pairs; names and values trimmed. */
export function parseHeaderList(ctx: YamlCtx, n: YNode, path: string): HeaderPair[] {
  return strList(ctx, n, path).map((h, i): HeaderPair => {
    const colon = h.indexOf(":");
    const name = colon < 0 ? "" : h.slice(0, colon).trim();
    if (name === "") {
      fail(
        ctx,
        n,
        `${path}[${i}]`,
        `${colon < 0 ? "missing ':' in" : "empty name in"} header ${JSON.stringify(h)}; want "Name: value"`,
      );
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
    fail(
      ctx,
      n,
      path,
      `unsupported scheme ${
        JSON.stringify(u.protocol.slice(0, -1))
      }; supported values: http, https, socks5, tls+socks5`,
    );
  }
  return s;
}
