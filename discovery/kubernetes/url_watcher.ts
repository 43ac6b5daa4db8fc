/**
 * Keeps the objects behind one Kubernetes API list URL up to date with the
 * list-then-watch protocol, as VictoriaMetrics' `urlWatcher`:
 *
 * - list with `resourceVersion=0&resourceVersionMatch=NotOlderThan` (served
 *   from the API server cache) and diff against the cache;
 * - watch with `watch=1&allowWatchBookmarks=true&timeoutSeconds=…&resourceVersion=<rv>`,
 *   applying ADDED/MODIFIED/DELETED and remembering BOOKMARK versions;
 * - a 410 Gone (HTTP status or ERROR event) drops the version and relists at once;
 * - a stream that ends resumes watching from the last version after a backoff
 *   (1s doubling to 30s, reset by every successful request); a broken stream
 *   relists after the backoff.
 *
 * Unlike vmagent, the version is also advanced from every event's object, as
 * client-go does, so a resumed watch does not replay events.
 *
 * @module
 */

import type { Role } from "./config.ts";
import type { HTTPClient } from "../../promauth/client.ts";
import { type KObject, parseObject } from "./objects.ts";

/** vmagent's `-promscrape.kubernetes.apiServerTimeout` default (30m); watches ask for 90% of it. */
const WATCH_TIMEOUT_SECONDS = Math.trunc(0.9 * 30 * 60);

export interface URLWatcherOptions {
  readonly role: Role;
  /** Full list URL: API server + path (+ `?labelSelector=…&fieldSelector=…`). */
  readonly url: string;
  readonly client: HTTPClient;
  readonly log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  readonly setTimeout: typeof setTimeout;
  readonly clearTimeout: typeof clearTimeout;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Called after the cache changed; `keys` are the added/updated/removed object keys. */
  readonly onChange: (role: Role, keys: readonly string[]) => void;
  /** Called once, after the first list attempt (successful or not). */
  readonly onFirstList: () => void;
}

/**
 * One list+watch loop. Runs from {@linkcode start} until {@linkcode stop};
 * all state is touched only from the event loop of the owning thread.
 */
export class URLWatcher {
  readonly role: Role;
  /** Current objects by `namespace/name`. Read-only for callers. */
  readonly objects = new Map<string, KObject>();
  readonly #o: URLWatcherOptions;
  #resourceVersion = "";
  #stopped = false;
  #abort: AbortController | null = null;
  #sleepTimer: ReturnType<typeof setTimeout> | null = null;
  #wake: (() => void) | null = null;
  #backoffMs: number;
  #listedOnce = false;

  constructor(o: URLWatcherOptions) {
    this.role = o.role;
    this.#o = o;
    this.#backoffMs = o.minBackoffMs;
  }

  /** Starts the background loop; returns at once. */
  start(): void {
    void this.#run();
  }

  /** Aborts the in-flight request and any backoff sleep. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort?.abort();
    if (this.#sleepTimer !== null) this.#o.clearTimeout(this.#sleepTimer);
    this.#sleepTimer = null;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const o = this.#o;
    const sep = o.url.includes("?") ? "&" : "?";
    const watchURL = `${o.url}${sep}watch=1&allowWatchBookmarks=true&timeoutSeconds=${WATCH_TIMEOUT_SECONDS}`;
    while (!this.#stopped) {
      if (this.#resourceVersion === "") {
        const ok = await this.#list(`${o.url}${sep}resourceVersion=0&resourceVersionMatch=NotOlderThan`);
        if (!this.#listedOnce) {
          this.#listedOnce = true;
          o.onFirstList();
        }
        if (this.#stopped) return;
        if (!ok) {
          await this.#backoff();
          continue;
        }
      }
      const url = `${watchURL}&resourceVersion=${encodeURIComponent(this.#resourceVersion)}`;
      const ac = new AbortController();
      this.#abort = ac;
      let resp: Response;
      try {
        resp = await o.client.fetch(url, { signal: ac.signal, headers: { Accept: "application/json" } });
      } catch (e) {
        if (this.#stopped) return;
        o.log.error(`Cannot perform request to ${JSON.stringify(url)}: ${(e as Error).message}`);
        await this.#backoff();
        continue;
      }
      if (resp.status !== 200) {
        const body = await resp.text().catch(() => "");
        if (this.#stopped) return;
        if (resp.status === 410) {
          // The version is too old: relist at once (https://kubernetes.io/docs/reference/using-api/api-concepts/#410-gone-responses).
          this.#backoffMs = o.minBackoffMs;
          this.#resourceVersion = "";
        } else {
          o.log.error(
            `Unexpected status code for request to ${JSON.stringify(url)}: ${resp.status}; want 200; response: ${
              JSON.stringify(body.slice(0, 500))
            }`,
          );
          await this.#backoff();
        }
        continue;
      }
      this.#backoffMs = o.minBackoffMs;
      const end = await this.#readStream(resp, url);
      if (this.#stopped) return;
      if (end === "gone") continue;
      if (end === "error") this.#resourceVersion = "";
      await this.#backoff();
    }
  }

  /** Lists all objects and applies the difference; false on failure. */
  async #list(url: string): Promise<boolean> {
    const o = this.#o;
    const ac = new AbortController();
    this.#abort = ac;
    let text: string;
    try {
      const resp = await o.client.fetch(url, { signal: ac.signal, headers: { Accept: "application/json" } });
      text = await resp.text();
      if (resp.status !== 200) {
        if (!this.#stopped) {
          o.log.error(
            `Unexpected status code for request to ${JSON.stringify(url)}: ${resp.status}; want 200; response: ${
              JSON.stringify(text.slice(0, 500))
            }`,
          );
        }
        return false;
      }
    } catch (e) {
      if (!this.#stopped) o.log.error(`Cannot perform request to ${JSON.stringify(url)}: ${(e as Error).message}`);
      return false;
    }
    if (this.#stopped) return false;
    let fresh: Map<string, KObject>;
    let rv: string;
    try {
      const list = JSON.parse(text) as { metadata?: { resourceVersion?: unknown }; items?: unknown };
      rv = typeof list.metadata?.resourceVersion === "string" ? list.metadata.resourceVersion : "";
      fresh = new Map();
      for (const item of Array.isArray(list.items) ? list.items : []) {
        const ko = parseObject(this.role, item);
        fresh.set(ko.key, ko);
      }
    } catch (e) {
      o.log.error(`Cannot parse objects from ${JSON.stringify(url)}: ${(e as Error).message}`);
      return false;
    }
    const changed: string[] = [];
    for (const [key, prev] of this.objects) {
      const next = fresh.get(key);
      if (next === undefined) {
        this.objects.delete(key);
        changed.push(key);
      } else if (next.sig !== prev.sig) {
        this.objects.set(key, next);
        changed.push(key);
      }
    }
    for (const [key, next] of fresh) {
      if (!this.objects.has(key)) {
        this.objects.set(key, next);
        changed.push(key);
      }
    }
    this.#resourceVersion = rv;
    o.log.info(
      `Reloaded ${fresh.size} ${this.role} objects from ${
        JSON.stringify(url)
      }; changed=${changed.length}, resourceVersion=${JSON.stringify(rv)}`,
    );
    if (changed.length > 0) o.onChange(this.role, changed);
    return rv !== "";
  }

  /** Applies watch events until the stream ends. */
  async #readStream(resp: Response, url: string): Promise<"eof" | "gone" | "error"> {
    const body = resp.body;
    if (body === null) return "eof";
    const reader = body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line === "") continue;
          const r = this.#applyEvent(line, url);
          if (r !== null) return r;
        }
      }
      const rest = buf.trim();
      if (rest !== "") {
        const r = this.#applyEvent(rest, url);
        if (r !== null) return r;
      }
      return "eof";
    } catch (e) {
      if (!this.#stopped) {
        this.#o.log.error(`Error when reading WatchEvent stream from ${JSON.stringify(url)}: ${(e as Error).message}`);
      }
      return "error";
    } finally {
      reader.releaseLock();
      void body.cancel().catch(() => {});
    }
  }

  /** Applies one event; returns how the stream ended, or null to keep reading. */
  #applyEvent(line: string, url: string): "gone" | "error" | null {
    const o = this.#o;
    let ev: { type?: unknown; object?: unknown };
    try {
      ev = JSON.parse(line) as typeof ev;
    } catch (e) {
      o.log.error(`Cannot parse WatchEvent from ${JSON.stringify(url)}: ${(e as Error).message}`);
      return "error";
    }
    const obj = ev.object as { metadata?: { resourceVersion?: unknown }; code?: unknown } | undefined;
    const rv = obj?.metadata?.resourceVersion;
    switch (ev.type) {
      case "ADDED":
      case "MODIFIED": {
        const ko = parseObject(this.role, ev.object);
        if (typeof rv === "string" && rv !== "") this.#resourceVersion = rv;
        if (this.objects.get(ko.key)?.sig === ko.sig) return null;
        this.objects.set(ko.key, ko);
        o.onChange(this.role, [ko.key]);
        return null;
      }
      case "DELETED": {
        const ko = parseObject(this.role, ev.object);
        if (typeof rv === "string" && rv !== "") this.#resourceVersion = rv;
        if (this.objects.delete(ko.key)) o.onChange(this.role, [ko.key]);
        return null;
      }
      case "BOOKMARK":
        if (typeof rv === "string" && rv !== "") this.#resourceVersion = rv;
        return null;
      case "ERROR":
        if (obj?.code === 410) {
          this.#resourceVersion = "";
          return "gone";
        }
        o.log.error(`Unexpected error event from ${JSON.stringify(url)}: ${line.slice(0, 500)}`);
        return "error";
      default:
        o.log.error(`Unexpected WatchEvent type ${JSON.stringify(ev.type)} from ${JSON.stringify(url)}`);
        return "error";
    }
  }

  /** Sleeps for the current backoff (doubling it); wakes early on stop. */
  async #backoff(): Promise<void> {
    if (this.#stopped) return;
    const ms = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#o.maxBackoffMs);
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#sleepTimer = this.#o.setTimeout(() => {
        this.#sleepTimer = null;
        resolve();
      }, ms);
    });
    this.#wake = null;
  }
}
