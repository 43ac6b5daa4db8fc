/**
 * Test-only fakes that replay Kubernetes API and Consul HTTP API responses
 * from the fixtures in this directory on a local `Bun.serve` (port 0).
 * See README.md for where each fixture's shape comes from.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Parses `testdata/<rel>` (a JSON fixture). Returns a fresh copy each call. */
export function fixture<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(join(import.meta.dir, rel), "utf8")) as T;
}

/** One request the fake saw. */
export interface SeenRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Headers;
}

type Obj = { metadata: { name: string; namespace?: string; resourceVersion?: string } } & Record<string, unknown>;

const RESOURCES: Readonly<Record<string, { kind: string; apiVersion: string; prefix: string }>> = {
  pods: { kind: "PodList", apiVersion: "v1", prefix: "/api/v1/" },
  services: { kind: "ServiceList", apiVersion: "v1", prefix: "/api/v1/" },
  endpoints: { kind: "EndpointsList", apiVersion: "v1", prefix: "/api/v1/" },
  nodes: { kind: "NodeList", apiVersion: "v1", prefix: "/api/v1/" },
  endpointslices: {
    kind: "EndpointSliceList",
    apiVersion: "discovery.k8s.io/v1",
    prefix: "/apis/discovery.k8s.io/v1/",
  },
  ingresses: { kind: "IngressList", apiVersion: "networking.k8s.io/v1", prefix: "/apis/networking.k8s.io/v1/" },
};

interface Watch {
  readonly resource: string;
  readonly namespace: string;
  readonly ctrl: ReadableStreamDefaultController<Uint8Array>;
  closed: boolean;
}

/**
 * A fake Kubernetes API server: serves list responses from its object store
 * and keeps watch streams open, pushing the events tests make with
 * {@linkcode FakeKubeAPI.emit}. Resource versions are one global counter, as
 * in etcd.
 */
export class FakeKubeAPI {
  readonly requests: SeenRequest[] = [];
  readonly #objects = new Map<string, Map<string, Obj>>();
  readonly #watches: Watch[] = [];
  readonly #server: ReturnType<typeof Bun.serve>;
  #rv = 1000;
  /** Resources whose next watch request is answered 410 Gone. */
  readonly goneOnNextWatch = new Set<string>();
  /** Status to answer for every request (e.g. 401), or 0 to serve normally. */
  failStatus = 0;

  constructor() {
    this.#server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => this.#handle(req) });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  /** Replaces the store of `resource` with a fixture list's items. */
  load(resource: string, list: { items: Obj[] }): void {
    const m = new Map<string, Obj>();
    for (const o of list.items) {
      o.metadata.resourceVersion = String(++this.#rv);
      m.set(`${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
    }
    this.#objects.set(resource, m);
  }

  /** Applies a change to the store and sends it to every matching open watch. */
  emit(resource: string, type: "ADDED" | "MODIFIED" | "DELETED", obj: Obj): void {
    const m = this.#objects.get(resource) ?? new Map<string, Obj>();
    this.#objects.set(resource, m);
    obj.metadata.resourceVersion = String(++this.#rv);
    const key = `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
    if (type === "DELETED") m.delete(key);
    else m.set(key, obj);
    this.#send(resource, obj.metadata.namespace ?? "", { type, object: obj });
  }

  /** Sends a BOOKMARK with the current resource version. */
  bookmark(resource: string, kind: string, apiVersion: string): void {
    this.#send(resource, "", {
      type: "BOOKMARK",
      object: { kind, apiVersion, metadata: { resourceVersion: String(this.#rv) } },
    });
  }

  /** Sends an ERROR 410 event (an expired version) and closes the streams, as the API server does. */
  expireWatches(resource: string): void {
    this.#send(resource, "", {
      type: "ERROR",
      object: {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "too old resource version: 1 (1050)",
        reason: "Expired",
        code: 410,
      },
    });
    this.closeWatches(resource);
  }

  /** Ends the open watch streams of `resource` (a clean end, like the server's timeoutSeconds). */
  closeWatches(resource: string): void {
    for (const w of this.#watches) {
      if (w.resource !== resource || w.closed) continue;
      w.closed = true;
      w.ctrl.close();
    }
  }

  /** Watch streams that are still open (the client has not gone away). */
  openWatches(resource?: string): number {
    return this.#watches.filter((w) => !w.closed && (resource === undefined || w.resource === resource)).length;
  }

  stop(): void {
    for (const w of this.#watches) {
      if (!w.closed) {
        w.closed = true;
        try {
          w.ctrl.close();
        } catch {
          // already cancelled by the client
        }
      }
    }
    this.#server.stop(true);
  }

  #send(resource: string, namespace: string, ev: unknown): void {
    const line = new TextEncoder().encode(`${JSON.stringify(ev)}\n`);
    for (const w of this.#watches) {
      if (w.closed || w.resource !== resource) continue;
      if (w.namespace !== "" && namespace !== "" && w.namespace !== namespace) continue;
      try {
        w.ctrl.enqueue(line);
      } catch {
        w.closed = true;
      }
    }
  }

  #handle(req: Request): Response {
    const u = new URL(req.url);
    this.requests.push({ path: u.pathname, query: u.searchParams, headers: req.headers });
    if (this.failStatus !== 0) {
      return Response.json({ kind: "Status", code: this.failStatus }, { status: this.failStatus });
    }
    const m = /^\/(?:api\/v1|apis\/[^/]+\/v1)\/(?:namespaces\/([^/]+)\/)?([a-z]+)$/.exec(u.pathname);
    const res = m?.[2] ?? "";
    const meta = RESOURCES[res];
    if (m === null || meta === undefined || !u.pathname.startsWith(meta.prefix)) {
      return Response.json({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }, {
        status: 404,
      });
    }
    const namespace = m[1] ?? "";
    if (u.searchParams.get("watch") === "1") {
      if (this.goneOnNextWatch.delete(res)) {
        return Response.json(
          {
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Failure",
            message: "too old resource version",
            reason: "Expired",
            code: 410,
          },
          { status: 410 },
        );
      }
      let watch: Watch | undefined;
      const body = new ReadableStream<Uint8Array>({
        start: (ctrl) => {
          watch = { resource: res, namespace, ctrl, closed: false };
          this.#watches.push(watch);
        },
        cancel: () => {
          if (watch !== undefined) watch.closed = true;
        },
      });
      return new Response(body, { headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" } });
    }
    const items = [...(this.#objects.get(res)?.values() ?? [])].filter((o) =>
      namespace === "" || o.metadata.namespace === namespace
    );
    return Response.json({
      kind: meta.kind,
      apiVersion: meta.apiVersion,
      metadata: { resourceVersion: String(this.#rv) },
      items,
    });
  }
}

/**
 * A fake Consul agent for `/v1/agent/self`, `/v1/catalog/services` and
 * `/v1/health/service/<name>` with blocking queries: a request whose `index`
 * equals the current `X-Consul-Index` is held until {@linkcode FakeConsul.set}
 * changes the data or its `wait` elapses.
 */
export class FakeConsul {
  readonly requests: SeenRequest[] = [];
  readonly #data = new Map<string, unknown>();
  readonly #waiters = new Set<() => void>();
  readonly #server: ReturnType<typeof Bun.serve>;
  #index = 100;

  constructor() {
    this.#server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => this.#handle(req) });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  /** Number of blocking requests currently held. */
  get held(): number {
    return this.#waiters.size;
  }

  /** Sets the body for `path` (e.g. `/v1/catalog/services`), bumps the index and releases held queries. */
  set(path: string, body: unknown): void {
    this.#data.set(path, body);
    this.#index++;
    for (const w of [...this.#waiters]) w();
  }

  stop(): void {
    for (const w of [...this.#waiters]) w();
    this.#server.stop(true);
  }

  async #handle(req: Request): Promise<Response> {
    const u = new URL(req.url);
    this.requests.push({ path: u.pathname, query: u.searchParams, headers: req.headers });
    if (!this.#data.has(u.pathname)) return new Response("Unknown path", { status: 404 });
    const index = Number(u.searchParams.get("index") ?? "0");
    if (index > 0 && index === this.#index) {
      const waitMs = Number.parseInt(u.searchParams.get("wait") ?? "0", 10) * 1000;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.#waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, waitMs);
        this.#waiters.add(done);
      });
    }
    return Response.json(this.#data.get(u.pathname), {
      headers: { "X-Consul-Index": String(this.#index), "X-Consul-Knownleader": "true" },
    });
  }
}
