/**
 * The running discoverer of one `kubernetes_sd_configs` entry: resolves the
 * API server (explicit, kubeconfig or in-cluster), watches the role's
 * objects plus the objects its labels depend on (pods and services for
 * endpoints/endpointslice; nodes with `attach_metadata.node`), and reports
 * the full target list.
 *
 * The first report comes once every watch has finished its first list;
 * later changes are coalesced and reported at most once per
 * `checkIntervalMs` (vmagent picks up Kubernetes changes on its
 * `-promscrape.kubernetesSDCheckInterval` tick, so this costs no freshness
 * relative to it, and bounds the work of a busy cluster).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Discoverer, DiscoveryContext, TargetLabels } from "../types.ts";
import type { KubernetesSDConfig, Role } from "./config.ts";
import { endpointSliceTargets, endpointsTargets } from "./endpoints.ts";
import { HTTPClient } from "../../promauth/client.ts";
import { type HTTPClientConfig, NO_AUTH, NO_HTTP_CLIENT, resolveFile } from "../../promauth/config.ts";
import { loadKubeConfig } from "./kubeconfig.ts";
import {
  ingressTargets,
  type MutableLabels,
  nodeTargets,
  type ObjectLookup,
  podTargets,
  serviceTargets,
} from "./labels.ts";
import type { K8sObject, Node, Pod, Service } from "./objects.ts";
import { URLWatcher } from "./url_watcher.ts";

/** Where Kubernetes mounts the pod's service account (token, ca.crt, namespace). */
export const DEFAULT_SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Test and embedding hooks; production uses the defaults. */
export interface KubernetesDiscovererOptions {
  /** Environment for `KUBERNETES_SERVICE_HOST`/`_PORT`; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Service-account directory for in-cluster config and `own_namespace`. */
  readonly serviceAccountDir?: string;
  /** Watch reconnect backoff bounds; defaults 1s and 30s as in vmagent. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly fetch?: typeof fetch;
}

/** The resolved connection of one entry. */
export interface APIConnection {
  /** Scheme + host (+ path prefix), no trailing slash. */
  readonly server: string;
  readonly http: HTTPClientConfig;
  readonly namespaces: readonly string[];
}

/**
 * Resolves where and how to connect, as vmagent's `newAPIConfig`: an
 * explicit `api_server`, else `kubeconfig_file`, else the in-cluster service
 * account. Throws Error with a user-facing message when that is impossible.
 */
export function resolveAPIConnection(
  cfg: KubernetesSDConfig,
  baseDir: string,
  opts: KubernetesDiscovererOptions = {},
): APIConnection {
  const env = opts.env ?? process.env;
  const saDir = opts.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR;
  let server = cfg.apiServer;
  let http = cfg.http;
  if (cfg.kubeconfigFile !== "") {
    const kc = loadKubeConfig(resolveFile(baseDir, cfg.kubeconfigFile), cfg.http, baseDir);
    server = kc.server;
    http = kc.http;
  }
  if (server === "") {
    const host = env.KUBERNETES_SERVICE_HOST ?? "";
    const port = env.KUBERNETES_SERVICE_PORT ?? "";
    if (host === "") {
      throw new Error(
        "Cannot find KUBERNETES_SERVICE_HOST env var; it must be defined when running in k8s; probably, `kubernetes_sd_config->api_server` is missing in Prometheus configs?",
      );
    }
    if (port === "") {
      throw new Error(
        `Cannot find KUBERNETES_SERVICE_PORT env var; it must be defined when running in k8s; KUBERNETES_SERVICE_HOST=${
          JSON.stringify(host)
        }`,
      );
    }
    server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
    const tls = {
      ca: null,
      caFile: join(saDir, "ca.crt"),
      cert: null,
      certFile: null,
      key: null,
      keyFile: null,
      serverName: "",
      insecureSkipVerify: false,
      minVersion: "",
    };
    http = Object.freeze({
      ...NO_HTTP_CLIENT,
      auth: Object.freeze({
        ...NO_AUTH,
        bearerTokenFile: join(saDir, "token"),
        tls: Object.freeze(tls),
        headers: cfg.http.auth.headers,
      }),
    });
  }
  if (!server.includes("://")) server = `${cfg.http.auth.tls !== null ? "https" : "http"}://${server}`;
  while (server.endsWith("/")) server = server.slice(0, -1);
  let namespaces = cfg.namespaces.names;
  if (namespaces.length === 0 && cfg.namespaces.ownNamespace) {
    try {
      namespaces = [readFileSync(join(saDir, "namespace"), "utf8")];
    } catch (e) {
      throw new Error(
        `Cannot determine namespace for the current pod according to \`own_namespace: true\` option in kubernetes_sd_config: ${
          (e as Error).message
        }`,
      );
    }
  }
  return Object.freeze({ server, http, namespaces: Object.freeze([...namespaces]) });
}

const API_PATHS: Readonly<Record<Role, readonly [string, string]>> = {
  node: ["/api/v1/", "nodes"],
  pod: ["/api/v1/", "pods"],
  service: ["/api/v1/", "services"],
  endpoints: ["/api/v1/", "endpoints"],
  endpointslice: ["/apis/discovery.k8s.io/v1/", "endpointslices"],
  ingress: ["/apis/networking.k8s.io/v1/", "ingresses"],
};

/** The list paths (with selectors) for `role`: one per namespace, or one cluster-wide. */
export function apiPaths(
  role: Role,
  namespaces: readonly string[],
  selectors: KubernetesSDConfig["selectors"],
): string[] {
  const labels: string[] = [];
  const fields: string[] = [];
  for (const s of selectors) {
    if (s.role !== role) continue;
    if (s.label !== "") labels.push(s.label);
    if (s.field !== "") fields.push(s.field);
  }
  const args: string[] = [];
  if (labels.length > 0) args.push(`labelSelector=${encodeURIComponent(labels.join(","))}`);
  if (fields.length > 0) args.push(`fieldSelector=${encodeURIComponent(fields.join(","))}`);
  const query = args.length > 0 ? `?${args.join("&")}` : "";
  const [prefix, type] = API_PATHS[role];
  if (role === "node" || namespaces.length === 0) return [`${prefix}${type}${query}`];
  return namespaces.map((ns) => `${prefix}namespaces/${ns}/${type}${query}`);
}

/** The targets of one object of any role. */
export function targetsFor(obj: K8sObject, lk: ObjectLookup): MutableLabels[] {
  switch (obj.kind) {
    case "pod":
      return podTargets(obj, lk);
    case "service":
      return serviceTargets(obj);
    case "endpoints":
      return endpointsTargets(obj, lk);
    case "endpointslice":
      return endpointSliceTargets(obj, lk);
    case "node":
      return nodeTargets(obj);
    case "ingress":
      return ingressTargets(obj);
  }
}

/** See the module documentation. Single-threaded: lives on the event loop that calls `start`. */
export class KubernetesDiscoverer implements Discoverer {
  readonly name: string;
  readonly #cfg: KubernetesSDConfig;
  readonly #ctx: DiscoveryContext;
  readonly #opts: KubernetesDiscovererOptions;
  readonly #setTimeout: typeof setTimeout;
  readonly #clearTimeout: typeof clearTimeout;
  readonly #watchers: URLWatcher[] = [];
  /** Targets per object key of the discovered role; dropped when the object or a dependency changes. */
  readonly #cache = new Map<string, readonly TargetLabels[]>();
  #onUpdate: ((targets: readonly TargetLabels[]) => void) | null = null;
  #pendingFirstLists = 0;
  #reported = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #started = false;
  #stopped = false;

  constructor(cfg: KubernetesSDConfig, ctx: DiscoveryContext, opts: KubernetesDiscovererOptions = {}) {
    this.name = `kubernetes_sd_configs{role=${JSON.stringify(cfg.role)}}`;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#opts = opts;
    this.#setTimeout = ctx.setTimeout ?? setTimeout;
    this.#clearTimeout = ctx.clearTimeout ?? clearTimeout;
  }

  start(onUpdate: (targets: readonly TargetLabels[]) => void): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#onUpdate = onUpdate;
    let conn: APIConnection;
    let client: HTTPClient;
    try {
      conn = resolveAPIConnection(this.#cfg, this.#ctx.baseDir, this.#opts);
      client = new HTTPClient(conn.http, this.#opts.fetch);
    } catch (e) {
      this.#ctx.log.error(`${this.name}: cannot create API config for kubernetes: ${(e as Error).message}`);
      onUpdate([]);
      this.#reported = true;
      return;
    }
    const role = this.#cfg.role;
    const roles = new Set<Role>([role]);
    if (role === "endpoints" || role === "endpointslice") {
      roles.add("pod");
      roles.add("service");
    }
    if (this.#cfg.attachNodeMetadata && (role === "pod" || role === "endpoints" || role === "endpointslice")) {
      roles.add("node");
    }
    for (const r of roles) {
      for (const path of apiPaths(r, conn.namespaces, this.#cfg.selectors)) {
        this.#watchers.push(
          new URLWatcher({
            role: r,
            url: conn.server + path,
            client,
            log: this.#ctx.log,
            setTimeout: this.#setTimeout,
            clearTimeout: this.#clearTimeout,
            minBackoffMs: this.#opts.minBackoffMs ?? 1000,
            maxBackoffMs: this.#opts.maxBackoffMs ?? 30_000,
            onChange: (changedRole, keys) => this.#changed(changedRole, keys),
            onFirstList: () => {
              this.#pendingFirstLists--;
              this.#schedule();
            },
          }),
        );
      }
    }
    this.#pendingFirstLists = this.#watchers.length;
    for (const w of this.#watchers) w.start();
  }

  /** Stops every watch and timer. Idempotent; safe without `start`. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const w of this.#watchers) w.stop();
    if (this.#timer !== null) this.#clearTimeout(this.#timer);
    this.#timer = null;
    this.#onUpdate = null;
  }

  #changed(role: Role, keys: readonly string[]): void {
    if (role === this.#cfg.role) { for (const k of keys) this.#cache.delete(k); }
    else this.#cache.clear(); // a pod, service or node changed: every target may embed it
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped || this.#pendingFirstLists > 0) return;
    if (!this.#reported) {
      this.#reported = true;
      this.#report();
      return;
    }
    if (this.#timer !== null) return;
    this.#timer = this.#setTimeout(() => {
      this.#timer = null;
      this.#report();
    }, this.#ctx.checkIntervalMs);
  }

  #report(): void {
    const onUpdate = this.#onUpdate;
    if (onUpdate === null) return;
    onUpdate(this.currentTargets());
  }

  /** The full target list from the current cache. */
  currentTargets(): TargetLabels[] {
    const lk = this.#lookup();
    const out: TargetLabels[] = [];
    for (const w of this.#watchers) {
      if (w.role !== this.#cfg.role) continue;
      for (const [key, ko] of w.objects) {
        let ts = this.#cache.get(key);
        if (ts === undefined) {
          ts = targetsFor(ko.obj, lk);
          this.#cache.set(key, ts);
        }
        for (const t of ts) out.push(t);
      }
    }
    return out;
  }

  #lookup(): ObjectLookup {
    const find = (role: Role, key: string): K8sObject | undefined => {
      for (const w of this.#watchers) {
        if (w.role !== role) continue;
        const ko = w.objects.get(key);
        if (ko !== undefined) return ko.obj;
      }
      return undefined;
    };
    return {
      attachNodeMetadata: this.#cfg.attachNodeMetadata,
      pod: (ns, name) => find("pod", `${ns}/${name}`) as Pod | undefined,
      service: (ns, name) => find("service", `${ns}/${name}`) as Service | undefined,
      node: (name) => find("node", `/${name}`) as Node | undefined,
    };
  }
}
