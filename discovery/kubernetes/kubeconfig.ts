/**
 * Reading `kubeconfig_file` (the kubectl config format) into the API server
 * address and client settings, with the subset and checks of
 * VictoriaMetrics' `kubernetes/kubeconfig.go`: the current context's cluster
 * and user; `exec` and impersonation are rejected.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import {
  type BasicAuthConfig,
  type HTTPClientConfig,
  NO_AUTH,
  resolveFile,
  type TLSConfig,
} from "../../promauth/config.ts";

/** What a kubeconfig contributes to the connection. */
export interface KubeConfig {
  readonly server: string;
  readonly http: HTTPClientConfig;
}

type Obj = Record<string, unknown>;

function str(o: Obj | undefined, k: string): string {
  const v = o?.[k];
  return typeof v === "string" ? v : "";
}

function named(list: unknown, inner: string): Map<string, Obj> {
  const m = new Map<string, Obj>();
  if (!Array.isArray(list)) return m;
  for (const e of list) {
    if (e === null || typeof e !== "object") continue;
    const o = e as Obj;
    const v = o[inner];
    if (typeof o.name === "string" && v !== null && typeof v === "object") m.set(o.name, v as Obj);
  }
  return m;
}

function b64(s: string, what: string): string {
  try {
    return Buffer.from(atob(s), "latin1").toString("utf8");
  } catch {
    throw new SyntaxError(`Cannot base64-decode ${what}`);
  }
}

/**
 * Builds the connection settings from kubeconfig text. `base` supplies the
 * `oauth2`, `headers` and `follow_redirects` settings of the SD entry, which
 * VictoriaMetrics keeps when a kubeconfig is used; everything else comes
 * from the file. Relative file names resolve against `baseDir` (the config
 * directory), as vmagent resolves them.
 */
export function parseKubeConfig(text: string, base: HTTPClientConfig, baseDir: string): KubeConfig {
  const cfg = parseYaml(text) as unknown;
  if (cfg === null || typeof cfg !== "object") throw new SyntaxError("Cannot parse kubeconfig: expected a mapping");
  const c = cfg as Obj;
  const clusters = named(c.clusters, "cluster");
  const users = named(c.users, "user");
  const contexts = named(c.contexts, "context");
  const ctxName = str(c, "current-context");
  const ctx = contexts.get(ctxName);
  if (ctx === undefined) throw new TypeError(`Missing context ${JSON.stringify(ctxName)}`);
  const clusterName = str(ctx, "cluster");
  const cluster = clusters.get(clusterName);
  if (cluster === undefined) {
    throw new TypeError(`Missing cluster config ${JSON.stringify(clusterName)} at context ${JSON.stringify(ctxName)}`);
  }
  const server = str(cluster, "server");
  if (server === "") {
    throw new TypeError(
      `Missing kubernetes server address for config ${JSON.stringify(clusterName)} at context ${
        JSON.stringify(ctxName)
      }`,
    );
  }
  const userName = str(ctx, "user");
  const user = users.get(userName);
  if (userName !== "" && user === undefined) throw new TypeError(`Missing auth config ${JSON.stringify(userName)}`);
  const file = (p: string): string | null => (p === "" ? null : resolveFile(baseDir, p));
  let tls: TLSConfig | null = null;
  let basicAuth: BasicAuthConfig | null = null;
  let bearerToken: string | null = null;
  let bearerTokenFile: string | null = null;
  if (user !== undefined) {
    for (const k of ["exec", "act-as", "act-as-uid", "act-as-groups", "act-as-user-extra"]) {
      const v = user[k];
      if (v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0)) {
        throw new TypeError(
          `Invalid auth config ${JSON.stringify(userName)}: field ${JSON.stringify(k)} is not supported yet`,
        );
      }
    }
    const username = str(user, "username");
    const password = str(user, "password");
    if (password !== "" && username === "") {
      throw new TypeError(
        `Invalid auth config ${JSON.stringify(userName)}: username cannot be empty, if password defined`,
      );
    }
    if (server.startsWith("https://")) {
      const caData = str(cluster, "certificate-authority-data");
      const certData = str(user, "client-certificate-data");
      const keyData = str(user, "client-key-data");
      tls = Object.freeze({
        ca: caData !== "" ? b64(caData, `certificate-authority-data from config ${JSON.stringify(clusterName)}`) : null,
        caFile: file(str(cluster, "certificate-authority")),
        cert: certData !== "" ? b64(certData, `client-certificate-data from ${JSON.stringify(userName)}`) : null,
        certFile: certData !== "" ? null : file(str(user, "client-certificate")),
        key: keyData !== "" ? b64(keyData, `client-key-data from ${JSON.stringify(userName)}`) : null,
        keyFile: keyData !== "" ? null : file(str(user, "client-key")),
        serverName: str(cluster, "tls-server-name"),
        insecureSkipVerify: cluster["insecure-skip-tls-verify"] === true,
        minVersion: "",
      });
    }
    if (username !== "" || password !== "") {
      basicAuth = Object.freeze({ username, usernameFile: null, password, passwordFile: null });
    }
    bearerTokenFile = file(str(user, "tokenFile"));
    bearerToken = bearerTokenFile === null ? str(user, "token") || null : null;
  }
  const proxyURL = str(cluster, "proxy-url");
  const http: HTTPClientConfig = Object.freeze({
    auth: Object.freeze({
      ...NO_AUTH,
      basicAuth,
      bearerToken,
      bearerTokenFile,
      oauth2: base.auth.oauth2,
      tls,
      headers: base.auth.headers,
    }),
    proxyURL: proxyURL === "" ? null : proxyURL,
    proxy: NO_AUTH,
    followRedirects: base.followRedirects,
  });
  return Object.freeze({ server, http });
}

/** Reads and parses `path` (already resolved against the config directory). */
export function loadKubeConfig(path: string, base: HTTPClientConfig, baseDir: string): KubeConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`Cannot read kubeconfig ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  return parseKubeConfig(text, base, baseDir);
}
