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
import { queueDirName } from "../queue/file_queue.ts";
import { REMOTE_WRITE_HEADERS, type ClientOptions } from "./client.ts";

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

function readSecret(path: string, flag: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (err: unknown) {
    throw new Error(`Cannot read ${flag} "${path}": ${err instanceof Error ? err.message : String(err)}`);
  }
}

function clientOptions(u: RemoteWriteURLConfig, displayName: string): ClientOptions {
  const headers: Record<string, string> = { ...REMOTE_WRITE_HEADERS };
  const opts: ClientOptions = { url: u.url, displayName, timeoutMs: u.sendTimeoutMs, headers };
  if (u.basicAuth !== undefined) {
    opts.basicAuthUser = u.basicAuth.username;
    if (u.basicAuthPasswordFile !== undefined && u.basicAuthPasswordFile !== "") {
      // Checked once at start so a typo fails fast; re-read per request afterwards.
      readSecret(u.basicAuthPasswordFile, "-remoteWrite.basicAuth.passwordFile");
      opts.basicAuthPasswordFile = u.basicAuthPasswordFile;
    } else {
      headers["Authorization"] = `Basic ${Buffer.from(`${u.basicAuth.username}:${u.basicAuth.password}`).toString("base64")}`;
    }
  }
  if (u.bearerTokenFile !== undefined && u.bearerTokenFile !== "") {
    readSecret(u.bearerTokenFile, "-remoteWrite.bearerTokenFile");
    opts.bearerTokenFile = u.bearerTokenFile;
  } else if (u.bearerToken !== undefined && u.bearerToken !== "") {
    headers["Authorization"] = `Bearer ${u.bearerToken}`;
  }
  // -remoteWrite.headers come last so they can override anything above.
  for (const [name, value] of u.headers) headers[name] = value;
  return opts;
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
