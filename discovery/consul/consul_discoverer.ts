/**
 * The running discoverer of one `consul_sd_configs` entry, following
 * VictoriaMetrics' consul `watch.go`: a blocking query on
 * `/v1/catalog/services` keeps the set of watched services current, and
 * one blocking query loop per service on `/v1/health/service/<name>` keeps
 * its instances current. Each loop re-issues its query at most every
 * `checkInterval/2`, passing the last `X-Consul-Index` so Consul holds the
 * request until something changes or `wait` elapses.
 *
 * The first report comes after the service list and every service's first
 * answer; later changes are coalesced to at most one report per
 * `checkIntervalMs`, the cadence at which vmagent reads Consul's state.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import type { Discoverer, DiscoveryContext, TargetLabels } from "../types.ts";
import { HTTPClient } from "../../promauth/client.ts";
import type { HTTPClientConfig } from "../../promauth/config.ts";
import type { ConsulSDConfig } from "./config.ts";
import { parseServiceNodes, type ServiceNode, serviceNodeTarget } from "./service_node.ts";

/** vmagent's blocking `wait`: 10m client read timeout minus 1/8 for Consul's jitter. */
export const DEFAULT_WAIT_SECONDS = 525;

/** Test and embedding hooks; production uses the defaults. */
export interface ConsulDiscovererOptions {
  /** Environment for `CONSUL_HTTP_TOKEN(_FILE)` and `CONSUL_NAMESPACE`; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly fetch?: typeof fetch;
  /** Blocking query `wait`, seconds. */
  readonly waitSeconds?: number;
  /** Lower bound of the check interval, as vmagent's 1s; tests lower it. */
  readonly minCheckIntervalMs?: number;
}

/** A stoppable sleep on the injected timers. */
class Sleeper {
  readonly #set: typeof setTimeout;
  readonly #clear: typeof clearTimeout;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #wake: (() => void) | null = null;
  constructor(set: typeof setTimeout, clear: typeof clearTimeout) {
    this.#set = set;
    this.#clear = clear;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = this.#set(() => {
        this.#timer = null;
        this.#wake = null;
        resolve();
      }, Math.max(0, ms));
    });
  }
  cancel(): void {
    if (this.#timer !== null) this.#clear(this.#timer);
    this.#timer = null;
    this.#wake?.();
    this.#wake = null;
  }
}

interface ServiceWatch {
  readonly name: string;
  nodes: readonly ServiceNode[];
  readonly ac: AbortController;
  readonly sleeper: Sleeper;
  stopped: boolean;
}

/** See the module documentation. Single-threaded: lives on the event loop that calls `start`. */
export class ConsulDiscoverer implements Discoverer {
  readonly name: string;
  readonly #cfg: ConsulSDConfig;
  readonly #ctx: DiscoveryContext;
  readonly #opts: ConsulDiscovererOptions;
  readonly #set: typeof setTimeout;
  readonly #clear: typeof clearTimeout;
  readonly #ac = new AbortController();
  readonly #sleeper: Sleeper;
  readonly #services = new Map<string, ServiceWatch>();
  #client: HTTPClient | null = null;
  #server = "";
  #namesArgs = "";
  #nodesArgs = "";
  #onUpdate: ((targets: readonly TargetLabels[]) => void) | null = null;
  #initialized = false;
  #reported = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #started = false;
  #stopped = false;

  constructor(cfg: ConsulSDConfig, ctx: DiscoveryContext, opts: ConsulDiscovererOptions = {}) {
    this.name = `consul_sd_configs{server=${JSON.stringify(cfg.server || "localhost:8500")}}`;
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.#opts = opts;
    this.#set = ctx.setTimeout ?? setTimeout;
    this.#clear = ctx.clearTimeout ?? clearTimeout;
    this.#sleeper = new Sleeper(this.#set, this.#clear);
  }

  start(onUpdate: (targets: readonly TargetLabels[]) => void): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#onUpdate = onUpdate;
    void this.#run();
  }

  /** Aborts every query and timer. Idempotent; safe without `start`. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ac.abort();
    this.#sleeper.cancel();
    for (const sw of this.#services.values()) this.#stopService(sw);
    if (this.#timer !== null) this.#clear(this.#timer);
    this.#timer = null;
    this.#onUpdate = null;
  }

  get #period(): number {
    return Math.max(this.#ctx.checkIntervalMs, this.#opts.minCheckIntervalMs ?? 1000) / 2;
  }

  async #run(): Promise<void> {
    // Setup (auth, datacenter lookup) is retried every check interval until it works.
    while (!this.#stopped) {
      try {
        await this.#setup();
        break;
      } catch (e) {
        if (this.#stopped) return;
        this.#ctx.log.error(`${this.name}: cannot get API config: ${(e as Error).message}`);
        if (!this.#reported) {
          this.#reported = true;
          this.#onUpdate?.([]);
        }
        await this.#sleeper.sleep(this.#period * 2);
      }
    }
    let index = 0;
    for (;;) {
      if (this.#stopped) return;
      const t0 = Date.now();
      try {
        const r = await this.#blocking(`/v1/catalog/services${this.#namesArgs}`, index, this.#ac.signal);
        if (r.index !== index) {
          await this.#updateServices(this.#serviceNames(r.text));
          index = r.index;
        }
      } catch (e) {
        if (this.#stopped) return;
        this.#ctx.log.error(
          `${this.name}: cannot obtain Consul serviceNames from ${JSON.stringify(this.#server)}: ${
            (e as Error).message
          }`,
        );
      }
      if (!this.#initialized) {
        this.#initialized = true;
        this.#changed();
      }
      await this.#sleeper.sleep(this.#period - (Date.now() - t0));
    }
  }

  async #setup(): Promise<void> {
    const cfg = this.#cfg;
    const env = this.#opts.env ?? process.env;
    let token = cfg.token;
    if (token === null) {
      const tokenFile = env.CONSUL_HTTP_TOKEN_FILE ?? "";
      if (tokenFile !== "") {
        try {
          token = readFileSync(tokenFile, "utf8");
        } catch (e) {
          throw new Error(
            `Cannot read consul token file ${
              JSON.stringify(tokenFile)
            }; probably, \`token\` arg is missing in \`consul_sd_config\`? error: ${(e as Error).message}`,
          );
        }
      } else {
        token = env.CONSUL_HTTP_TOKEN ?? "";
      }
    }
    let http: HTTPClientConfig = cfg.http;
    if (token !== "") {
      if (http.auth.bearerToken !== null || http.auth.bearerTokenFile !== null) {
        throw new Error("Cannot set both token and bearer_token configs");
      }
      http = { ...http, auth: { ...http.auth, bearerToken: token } };
    }
    if (cfg.username !== "") {
      http = {
        ...http,
        auth: {
          ...http.auth,
          basicAuth: { username: cfg.username, usernameFile: null, password: cfg.password, passwordFile: null },
        },
      };
    }
    let server = cfg.server === "" ? "localhost:8500" : cfg.server;
    if (!server.includes("://")) {
      const scheme = cfg.scheme !== "" ? cfg.scheme : cfg.http.auth.tls !== null ? "https" : "http";
      server = `${scheme}://${server}`;
    }
    while (server.endsWith("/")) server = server.slice(0, -1);
    this.#server = server;
    this.#client = new HTTPClient(http, this.#opts.fetch);
    let dc = cfg.datacenter;
    if (dc === "") {
      const resp = await this.#client.fetch(`${server}/v1/agent/self`, { signal: this.#ac.signal });
      const text = await resp.text();
      if (resp.status !== 200) {
        throw new Error(`Cannot query consul agent info: status ${resp.status}: ${text.slice(0, 200)}`);
      }
      const agent = JSON.parse(text) as { Config?: { Datacenter?: unknown } };
      dc = typeof agent.Config?.Datacenter === "string" ? agent.Config.Datacenter : "";
    }
    const namespace = cfg.namespace !== "" ? cfg.namespace : (env.CONSUL_NAMESPACE ?? "");
    let base = `?dc=${encodeURIComponent(dc)}`;
    if (cfg.allowStale) base += "&stale";
    if (namespace !== "") base += `&ns=${encodeURIComponent(namespace)}`;
    if (cfg.partition !== "") base += `&partition=${encodeURIComponent(cfg.partition)}`;
    for (const [k, v] of cfg.nodeMeta) base += `&node-meta=${encodeURIComponent(`${k}:${v}`)}`;
    // `tag` works only on /v1/health/service, `filter` only on /v1/catalog/services.
    this.#nodesArgs = base + cfg.tags.map((t) => `&tag=${encodeURIComponent(t)}`).join("");
    this.#namesArgs = cfg.filter !== "" ? `${base}&filter=${encodeURIComponent(cfg.filter)}` : base;
  }

  /** One blocking query; returns the body and the next index per Consul's rules. */
  async #blocking(path: string, index: number, signal: AbortSignal): Promise<{ text: string; index: number }> {
    const url = `${this.#server}${path}&index=${index}&wait=${this.#opts.waitSeconds ?? DEFAULT_WAIT_SECONDS}s`;
    const resp = await this.#client!.fetch(url, { signal });
    const text = await resp.text();
    if (resp.status !== 200) {
      throw new Error(
        `Unexpected status code for ${JSON.stringify(url)}: ${resp.status}; response: ${text.slice(0, 200)}`,
      );
    }
    const h = resp.headers.get("X-Consul-Index") ?? "";
    const n = Number.parseInt(h, 10);
    if (h === "" || !Number.isFinite(n)) {
      this.#ctx.log.error(
        `${this.name}: cannot find a valid X-Consul-Index header in response from ${JSON.stringify(url)}`,
      );
      return { text, index };
    }
    // https://developer.hashicorp.com/consul/api-docs/features/blocking#implementation-details
    if (n < 1) return { text, index: 1 };
    if (index > n) return { text, index: 0 };
    return { text, index: n };
  }

  #serviceNames(text: string): string[] {
    const m = JSON.parse(text) as unknown;
    if (m === null || typeof m !== "object" || Array.isArray(m)) {
      throw new TypeError("Cannot parse service names: expected a JSON object");
    }
    const want = this.#cfg.services.map((s) => s.toLowerCase());
    const out: string[] = [];
    for (const [name, tagsRaw] of Object.entries(m as Record<string, unknown>)) {
      // Service names compare case-insensitively, as in vmagent.
      if (want.length > 0 && !want.includes(name.toLowerCase())) continue;
      const tags = Array.isArray(tagsRaw) ? tagsRaw : [];
      if (!this.#cfg.tags.every((t) => tags.includes(t))) continue;
      out.push(name);
    }
    return out;
  }

  async #updateServices(names: readonly string[]): Promise<void> {
    const keep = new Set(names);
    let removed = false;
    for (const [name, sw] of this.#services) {
      if (keep.has(name)) continue;
      this.#stopService(sw);
      this.#services.delete(name);
      removed = true;
    }
    const inits: Promise<void>[] = [];
    for (const name of names) {
      if (this.#services.has(name)) continue;
      const sw: ServiceWatch = {
        name,
        nodes: [],
        ac: new AbortController(),
        sleeper: new Sleeper(this.#set, this.#clear),
        stopped: false,
      };
      this.#services.set(name, sw);
      inits.push(new Promise((resolve) => void this.#watchService(sw, resolve)));
    }
    await Promise.all(inits);
    if (removed) this.#changed();
  }

  #stopService(sw: ServiceWatch): void {
    sw.stopped = true;
    sw.ac.abort();
    sw.sleeper.cancel();
  }

  async #watchService(sw: ServiceWatch, initDone: () => void): Promise<void> {
    const path = `/v1/health/service/${sw.name}${this.#nodesArgs}`;
    let index = 0;
    let first = true;
    while (!sw.stopped && !this.#stopped) {
      const t0 = Date.now();
      try {
        const r = await this.#blocking(path, index, sw.ac.signal);
        if (r.index !== index && !sw.stopped) {
          sw.nodes = parseServiceNodes(r.text);
          index = r.index;
          this.#changed();
        }
      } catch (e) {
        if (!sw.stopped && !this.#stopped) {
          this.#ctx.log.error(
            `${this.name}: cannot obtain Consul serviceNodes for serviceName=${JSON.stringify(sw.name)}: ${
              (e as Error).message
            }`,
          );
        }
      }
      if (first) {
        first = false;
        initDone();
      }
      if (sw.stopped) break;
      await sw.sleeper.sleep(this.#period - (Date.now() - t0));
    }
    if (first) initDone();
  }

  #changed(): void {
    if (this.#stopped || !this.#initialized) return;
    if (!this.#reported) {
      this.#reported = true;
      this.#onUpdate?.(this.currentTargets());
      return;
    }
    if (this.#timer !== null) return;
    this.#timer = this.#set(() => {
      this.#timer = null;
      this.#onUpdate?.(this.currentTargets());
    }, this.#ctx.checkIntervalMs);
  }

  /** The full target list from the current state. */
  currentTargets(): TargetLabels[] {
    const out: TargetLabels[] = [];
    for (const sw of this.#services.values()) {
      for (const sn of sw.nodes) out.push(serviceNodeTarget(sn, sw.name, this.#cfg.tagSeparator));
    }
    return out;
  }
}
