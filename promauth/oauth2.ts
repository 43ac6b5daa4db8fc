/**
 * OAuth2 client-credentials tokens, as golang.org/x/oauth2/clientcredentials
 * gets them for vmagent: a form POST to `token_url` with the client id and
 * secret as basic auth, the token cached until 10 s before it expires (a
 * token without `expires_in` never expires).
 *
 * The cache is per thread and keyed by the settings and the current secret,
 * so every target of a scrape job shares one token, a rotated
 * `client_secret_file` fetches a new one, and concurrent requests wait for
 * one token request instead of each sending their own.
 *
 * @module
 */

import type { OAuth2Config } from "./config.ts";
import { proxyOption, readSecret, tlsOptions } from "./transport.ts";

/** golang.org/x/oauth2's `expiryDelta`. */
const EXPIRY_DELTA_MS = 10_000;
const TOKEN_TIMEOUT_MS = 10_000;

interface Token {
  /** `Authorization` value, e.g. `Bearer abc`. */
  readonly header: string;
  /** ms since the epoch; Infinity when the server gave no lifetime. */
  readonly expiresAt: number;
}

/** One token request and, once it succeeds, its token. */
interface Entry {
  readonly request: Promise<Token>;
  token: Token | null;
  failed: boolean;
}

const tokens = new Map<string, Entry>();

/**
 * The `Authorization` value for `o`, fetching a token when none is cached
 * or the cached one expires within 10 s.
 * @throws Error when the secret cannot be read or the token server refuses.
 */
export async function oauth2Header(
  o: OAuth2Config,
  fetchImpl: typeof fetch,
  now: () => number = Date.now,
): Promise<string> {
  const secret = o.clientSecretFile !== null
    ? await readSecret(o.clientSecretFile, "client_secret_file")
    : (o.clientSecret ?? "");
  const key = JSON.stringify([o.tokenURL, o.clientId, secret, o.scopes, o.endpointParams]);
  const cached = tokens.get(key);
  if (cached !== undefined) {
    if (cached.token !== null && cached.token.expiresAt - EXPIRY_DELTA_MS > now()) return cached.token.header;
    // In flight: share its outcome, failure included.
    if (cached.token === null && !cached.failed) return (await cached.request).header;
  }
  const entry: Entry = { request: fetchToken(o, secret, fetchImpl, now), token: null, failed: false };
  entry.request.then(
    (t) => (entry.token = t),
    () => (entry.failed = true),
  );
  tokens.set(key, entry);
  return (await entry.request).header;
}

async function fetchToken(o: OAuth2Config, secret: string, fetchImpl: typeof fetch, now: () => number): Promise<Token> {
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (o.scopes.length > 0) form.set("scope", o.scopes.join(" "));
  for (const [k, v] of o.endpointParams) form.set(k, v);
  const headers = new Headers();
  for (const [k, v] of o.headers) headers.set(k, v);
  headers.set("Content-Type", "application/x-www-form-urlencoded");
  // x/oauth2 AuthStyleInHeader: the id and secret are URL-encoded before basic auth.
  headers.set(
    "Authorization",
    `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
  );
  const init: BunFetchRequestInit = {
    method: "POST",
    body: form,
    headers,
    signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
  };
  const tls = await tlsOptions(o.tls);
  if (tls !== undefined) init.tls = tls;
  if (o.proxyURL !== null) init.proxy = proxyOption(o.proxyURL, null);
  const res = await fetchImpl(o.tokenURL, init);
  const text = await res.text();
  if (res.status < 200 || res.status > 299) {
    throw new Error(
      `cannot get OAuth2 token from ${JSON.stringify(o.tokenURL)}: status ${res.status}: ${text.slice(0, 512)}`,
    );
  }
  let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`cannot get OAuth2 token: cannot parse the response from ${JSON.stringify(o.tokenURL)}`);
  }
  if (typeof body.access_token !== "string" || body.access_token === "") {
    throw new Error(`cannot get OAuth2 token: no access_token in the response from ${JSON.stringify(o.tokenURL)}`);
  }
  const expiresIn = Number(body.expires_in);
  return {
    header: `${tokenType(typeof body.token_type === "string" ? body.token_type : "")} ${body.access_token}`,
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now() + expiresIn * 1000 : Number.POSITIVE_INFINITY,
  };
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
