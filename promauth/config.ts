/**
 * The resolved HTTP client settings of one peer, as VictoriaMetrics'
 * lib/promauth holds them: credentials (`authorization`, `basic_auth`,
 * `bearer_token(_file)`, `oauth2`), `tls_config`, `headers`, and for a
 * client also `proxy_url`, the proxy's own credentials and
 * `follow_redirects`. Scraping, every service-discovery kind and remote write
 * use the same shapes, parsed by ./parse.ts (YAML) or built from flags, and
 * applied by ./client.ts.
 *
 * Plain frozen data, safe to post between threads. File names are absolute
 * (resolved against the config directory by the parser) and are read on use,
 * so rotated secrets and certificates are picked up without a reload.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import type { HeaderPair } from "../config/flags.ts";

export interface TLSConfig {
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
  /** "" (library default) or one of TLS10, TLS11, TLS12, TLS13. Validated, not applied (Bun's fetch has no such option). */
  readonly minVersion: string;
}

export interface AuthorizationConfig {
  /** Defaults to "Bearer". */
  readonly type: string;
  readonly credentials: string | null;
  readonly credentialsFile: string | null;
}

export interface BasicAuthConfig {
  readonly username: string;
  readonly usernameFile: string | null;
  readonly password: string | null;
  readonly passwordFile: string | null;
}

/** `oauth2`: the client-credentials grant, as golang.org/x/oauth2/clientcredentials. */
export interface OAuth2Config {
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly clientSecretFile: string | null;
  readonly scopes: readonly string[];
  readonly tokenURL: string;
  readonly endpointParams: readonly HeaderPair[];
  readonly tls: TLSConfig | null;
  readonly proxyURL: string | null;
  /** Sent with the token request. */
  readonly headers: readonly HeaderPair[];
}

/**
 * How to authenticate to one peer (promauth `Options` without BaseDir). At
 * most one of authorization, basicAuth, bearerToken/bearerTokenFile and
 * oauth2 is set (checked by ./validate.ts).
 */
export interface AuthConfig {
  readonly authorization: AuthorizationConfig | null;
  readonly basicAuth: BasicAuthConfig | null;
  readonly bearerToken: string | null;
  readonly bearerTokenFile: string | null;
  readonly oauth2: OAuth2Config | null;
  readonly tls: TLSConfig | null;
  readonly headers: readonly HeaderPair[];
}

/** promauth `HTTPClientConfig` + `proxy_url` + `ProxyClientConfig`: everything one client applies. */
export interface HTTPClientConfig {
  /** For the target (or API server, or remote storage). */
  readonly auth: AuthConfig;
  /** http(s), socks5 or tls+socks5; null = direct. Only http(s) proxies can be used with Bun's fetch. */
  readonly proxyURL: string | null;
  /** `proxy_authorization`, `proxy_basic_auth`, … for talking to `proxyURL`. */
  readonly proxy: AuthConfig;
  readonly followRedirects: boolean;
}

/** No credentials, default TLS, no headers. */
export const NO_AUTH: AuthConfig = Object.freeze({
  authorization: null,
  basicAuth: null,
  bearerToken: null,
  bearerTokenFile: null,
  oauth2: null,
  tls: null,
  headers: Object.freeze([]),
});

/** A direct client without credentials that follows redirects. */
export const NO_HTTP_CLIENT: HTTPClientConfig = Object.freeze({
  auth: NO_AUTH,
  proxyURL: null,
  proxy: NO_AUTH,
  followRedirects: true,
});

/** Resolves a file reference against the config directory; URLs and absolute paths stay. */
export function resolveFile(baseDir: string, p: string): string {
  if (/^https?:\/\//i.test(p) || isAbsolute(p)) return p;
  return join(baseDir, p);
}

/** Hides the password of `scheme://user:pass@host` URLs. */
export function maskURL(s: string): string {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/@]*@/i, "$1:<secret>@");
}
