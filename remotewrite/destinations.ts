/**
 * Turns the resolved `-remoteWrite.*` flags into what the sender thread
 * needs per URL: the name shown in logs and metrics, the queue directory and
 * the client options.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config, RemoteWriteURLConfig } from "../config/flags.ts";
import { HTTPClient } from "../promauth/client.ts";
import { type AuthConfig, type HTTPClientConfig, NO_AUTH, NO_HTTP_CLIENT } from "../promauth/config.ts";
import { checkAuth } from "../promauth/validate.ts";
import { queueDirName } from "../queue/file_queue.ts";
import { type ClientOptions, REMOTE_WRITE_HEADERS } from "./client.ts";

/**
 * `1:secret-url` unless `-remoteWrite.showURL`; then the URL with any
 * password replaced by `***`, as vmagent shows it.
 */
export function displayURL(index1: number, url: string, showURL: boolean): string {
  if (!showURL) return `${index1}:secret-url`;
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return `${index1}:${u.toString()}`;
  } catch {
    return `${index1}:${url}`;
  }
}

/** Everything the sender thread needs to deliver to one URL. */
export interface Destination {
  index1: number;
  displayName: string;
  queueDir: string;
  client: ClientOptions;
  maxDiskUsage: number;
}

/** How promauth's messages name the options the remote-write flags set. */
const FLAG_NAMES: Readonly<Record<string, string>> = {
  basic_auth: "-remoteWrite.basicAuth.*",
  "basic_auth.username": "-remoteWrite.basicAuth.username",
  "basic_auth.password": "-remoteWrite.basicAuth.password",
  "basic_auth.password_file": "-remoteWrite.basicAuth.passwordFile",
  bearer_token: "-remoteWrite.bearerToken",
  bearer_token_file: "-remoteWrite.bearerTokenFile",
};
const flagName = (option: string): string => FLAG_NAMES[option] ?? option;

/**
 * The auth flags of one `-remoteWrite.url` as promauth settings, checked
 * with promauth's rules (vmagent's `getAuthConfig`). Secret files are read
 * once here so a typo fails at start; promauth re-reads them per request.
 * @throws TypeError naming the flags for conflicting or incomplete settings, Error for unreadable files.
 */
export function remoteWriteClientConfig(u: RemoteWriteURLConfig, displayName: string): HTTPClientConfig {
  const username = u.basicAuth?.username ?? "";
  const password = u.basicAuth?.password ?? "";
  const passwordFile = u.basicAuthPasswordFile ?? "";
  const auth: AuthConfig = Object.freeze({
    ...NO_AUTH,
    basicAuth: username !== "" || password !== "" || passwordFile !== ""
      ? Object.freeze({
        username,
        usernameFile: null,
        password: password === "" ? null : password,
        passwordFile: passwordFile === "" ? null : passwordFile,
      })
      : null,
    bearerToken: u.bearerToken || null,
    bearerTokenFile: u.bearerTokenFile || null,
    headers: u.headers,
  });
  const problem = checkAuth(auth, flagName);
  if (problem !== null) {
    const subject = problem.onKey ? `${flagName(problem.key)}: ` : "";
    throw new TypeError(`Cannot use the auth flags of -remoteWrite.url "${displayName}": ${subject}${problem.message}`);
  }
  const pwFile = auth.basicAuth?.passwordFile ?? null;
  if (pwFile !== null) checkReadable(pwFile, "-remoteWrite.basicAuth.passwordFile");
  if (auth.bearerTokenFile !== null) checkReadable(auth.bearerTokenFile, "-remoteWrite.bearerTokenFile");
  // Drover decides about retries itself, so redirects are not followed.
  return Object.freeze({ ...NO_HTTP_CLIENT, auth, followRedirects: false });
}

function checkReadable(path: string, flag: string): void {
  try {
    readFileSync(path);
  } catch (err: unknown) {
    throw new Error(`Cannot read ${flag} "${path}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

function clientOptions(u: RemoteWriteURLConfig, displayName: string): ClientOptions {
  const http = new HTTPClient(remoteWriteClientConfig(u, displayName));
  return { url: u.url, displayName, timeoutMs: u.sendTimeoutMs, headers: { ...REMOTE_WRITE_HEADERS }, http };
}

/** One {@linkcode Destination} per `-remoteWrite.url`, in flag order. */
export function resolveDestinations(cfg: Config): Destination[] {
  const rw = cfg.remoteWrite;
  return rw.urls.map((u, i) => {
    const displayName = displayURL(i + 1, u.url, rw.showURL);
    return {
      index1: i + 1,
      displayName,
      queueDir: join(rw.tmpDataPath, "persistent-queue", queueDirName(i + 1, u.url)),
      client: clientOptions(u, displayName),
      maxDiskUsage: u.maxDiskUsage,
    };
  });
}
