/**
 * What Bun's `fetch` needs beyond the headers: TLS options built from a
 * {@linkcode TLSConfig} and the proxy option, and the reading of the files
 * the settings name (secrets, certificates), on every use as vmagent does.
 *
 * Not supported by Bun's fetch: `socks5://` and `tls+socks5://` proxies
 * (rejected when a request is made), a proxy's own `tls_config` and
 * `min_version` (validated at parse time, not applied).
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import type { TLSConfig } from "./config.ts";

/** The `tls` option of Bun's fetch. */
export type FetchTLS = NonNullable<BunFetchRequestInit["tls"]>;

/** Reads a local file, or GETs an http(s) URL (vmagent's `fs.ReadFileOrHTTP`). */
export async function readFileOrURL(p: string): Promise<string> {
  if (!/^https?:\/\//i.test(p)) return await readFile(p, "utf8");
  const res = await fetch(p, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`unexpected status code ${res.status}`);
  return text;
}

/**
 * Reads a secret file as promauth does: trailing whitespace is dropped.
 * `what` is the option that names it, e.g. "bearer_token_file".
 */
export async function readSecret(p: string, what: string): Promise<string> {
  try {
    return (await readFileOrURL(p)).trimEnd();
  } catch (e) {
    throw new Error(`cannot read \`${what}\` from ${JSON.stringify(p)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function readPEM(inline: string | null, file: string | null, what: string): Promise<string | null> {
  if (inline !== null) return inline;
  if (file === null) return null;
  try {
    return await readFileOrURL(file);
  } catch (e) {
    throw new Error(
      `cannot read \`${what}\` from ${JSON.stringify(file)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** Bun's TLS options for `t`, reading the PEM files; undefined for the defaults. */
export async function tlsOptions(t: TLSConfig | null): Promise<FetchTLS | undefined> {
  if (t === null) return undefined;
  const o: FetchTLS = {};
  const ca = await readPEM(t.ca, t.caFile, "ca_file");
  if (ca !== null) o.ca = ca;
  const cert = await readPEM(t.cert, t.certFile, "cert_file");
  if (cert !== null) o.cert = cert;
  const key = await readPEM(t.key, t.keyFile, "key_file");
  if (key !== null) o.key = key;
  if (t.serverName !== "") o.serverName = t.serverName;
  if (t.insecureSkipVerify) o.rejectUnauthorized = false;
  return o;
}

/**
 * The `proxy` option of Bun's fetch for `url`, with `headers` (proxy
 * credentials) sent to the proxy.
 * @throws TypeError for proxies Bun cannot use.
 */
export function proxyOption(url: string, headers: Headers | null): NonNullable<BunFetchRequestInit["proxy"]> {
  const scheme = new URL(url).protocol;
  if (scheme !== "http:" && scheme !== "https:") {
    throw new TypeError(
      `unsupported proxy_url scheme ${JSON.stringify(scheme.slice(0, -1))}; only http and https proxies are supported`,
    );
  }
  return headers === null ? url : { url, headers };
}
