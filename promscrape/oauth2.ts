/**
 * OAuth2 client-credentials tokens for scrapes (`oauth2` in a scrape
 * config), cached until 10 s before they expire, as golang.org/x/oauth2 does.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import type { OAuth2Settings } from "./_config_auth.ts";

interface Cached {
  token: string;
  expiresAt: number;
}

const cache = new Map<string, Cached>();

/** Returns `Bearer <token>` for the settings, fetching a new token when needed. */
export async function oauth2Header(o: OAuth2Settings, now = Date.now()): Promise<string> {
  const secret = o.clientSecretFile ? readFileSync(o.clientSecretFile, "utf8").trim() : (o.clientSecret ?? "");
  const key = JSON.stringify([o.tokenURL, o.clientId, secret, o.scopes, o.endpointParams]);
  const hit = cache.get(key);
  if (hit !== undefined && hit.expiresAt - 10_000 > now) return `Bearer ${hit.token}`;
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (o.scopes.length > 0) form.set("scope", o.scopes.join(" "));
  for (const [k, v] of o.endpointParams) form.set(k, v);
  const headers: Record<string, string> = {
    "Content-Type": "application/x-www-form-urlencoded",
    Authorization: `Basic ${Buffer.from(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
  };
  for (const [k, v] of o.headers) headers[k] = v;
  const res = await fetch(o.tokenURL, { method: "POST", body: form, headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`cannot get OAuth2 token from ${o.tokenURL}: status ${res.status}: ${text.slice(0, 300)}`);
  let body: { access_token?: unknown; expires_in?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`cannot parse the OAuth2 token response from ${o.tokenURL}`);
  }
  if (typeof body.access_token !== "string" || body.access_token === "") throw new Error(`no access_token in the OAuth2 response from ${o.tokenURL}`);
  const ttl = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in * 1000 : 3_600_000;
  cache.set(key, { token: body.access_token, expiresAt: now + ttl });
  return `Bearer ${body.access_token}`;
}
