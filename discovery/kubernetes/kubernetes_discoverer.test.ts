import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeKubeAPI, fixture } from "../testdata/replay_server.ts";
import type { DiscoveryContext, TargetLabels } from "../types.ts";
import { parseKubernetesSDConfig } from "./config.ts";
import { apiPaths, KubernetesDiscoverer, resolveAPIConnection } from "./kubernetes_discoverer.ts";
import { sdEntry } from "../_test_util.ts";

type Obj = { metadata: { name: string; namespace?: string } & Record<string, unknown> } & Record<string, unknown>;

const logs: string[] = [];
function ctx(): DiscoveryContext {
  return {
    baseDir: "/",
    checkIntervalMs: 20,
    log: { info: () => {}, warn: (m) => logs.push(m), error: (m) => logs.push(m) },
  };
}

/** Collects reports. */
class Reports {
  readonly all: (readonly TargetLabels[])[] = [];
  readonly push = (t: readonly TargetLabels[]) => {
    this.all.push(t);
  };
  get last(): readonly TargetLabels[] | undefined {
    return this.all.at(-1);
  }
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

const addrs = (ts: readonly TargetLabels[] | undefined) => (ts ?? []).map((t) => t.__address__).sort();

let api: FakeKubeAPI | null = null;
let disc: KubernetesDiscoverer | null = null;
afterEach(() => {
  disc?.stop();
  api?.stop();
  disc = null;
  api = null;
  logs.length = 0;
});

function setup(
  sd: Record<string, unknown>,
  resources: readonly string[],
): { api: FakeKubeAPI; d: KubernetesDiscoverer; r: Reports } {
  api = new FakeKubeAPI();
  for (const res of resources) api.load(res, fixture(`kubernetes/${res}.json`));
  const cfg = parseKubernetesSDConfig(sdEntry({ api_server: api.url, ...sd }, "kubernetes_sd_configs[0]", true));
  disc = new KubernetesDiscoverer(cfg, ctx(), { minBackoffMs: 10, maxBackoffMs: 40 });
  const r = new Reports();
  disc.start(r.push);
  return { api, d: disc, r };
}

const pod = (name: string, ip: string, ports: number[]): Obj => ({
  metadata: { name, namespace: "default", uid: `uid-${name}`, labels: { app: "scale" } },
  spec: {
    nodeName: "node-a",
    containers: [{ name: "app", image: "app:1", ports: ports.map((p) => ({ containerPort: p, protocol: "TCP" })) }],
  },
  status: { phase: "Running", podIP: ip, hostIP: "10.0.0.11", conditions: [{ type: "Ready", status: "True" }] },
});

describe("watch", () => {
  test("initial list, then ADDED/MODIFIED/DELETED events update the targets", async () => {
    const { api, r } = setup({ role: "pod" }, ["pods"]);
    await until("first report", () => r.all.length === 1);
    expect(addrs(r.last)).toEqual([
      "10.244.1.5",
      "10.244.1.5:8080",
      "10.244.1.5:9113",
      "10.244.2.7:15000",
      "10.244.2.7:9100",
      "[fd00:10:244::5]",
    ]);
    await until("watch open", () => api.openWatches("pods") === 1);
    const watchReq = api.requests.find((q) => q.query.get("watch") === "1");
    expect(watchReq?.query.get("allowWatchBookmarks")).toBe("true");
    expect(watchReq?.query.get("resourceVersion")).not.toBe("");
    expect(api.requests[0]?.query.get("resourceVersion")).toBe("0");
    expect(api.requests[0]?.query.get("resourceVersionMatch")).toBe("NotOlderThan");

    api.emit("pods", "ADDED", pod("scale-1", "10.244.5.1", [8080]));
    await until("added", () => addrs(r.last).includes("10.244.5.1:8080"));
    api.emit("pods", "MODIFIED", pod("scale-1", "10.244.5.1", [8080, 8081]));
    await until("modified", () => addrs(r.last).includes("10.244.5.1:8081"));
    api.emit("pods", "DELETED", pod("scale-1", "10.244.5.1", [8080, 8081]));
    await until("deleted", () => !addrs(r.last).some((a) => a?.startsWith("10.244.5.1") === true));
    expect(r.last?.length).toBe(6);
  });

  test("a burst of events is coalesced into few reports", async () => {
    const { api, r } = setup({ role: "pod" }, ["pods"]);
    await until("watch open", () => api.openWatches("pods") === 1);
    const before = r.all.length;
    for (let i = 0; i < 50; i++) api.emit("pods", "ADDED", pod(`burst-${i}`, `10.244.9.${i}`, [80]));
    await until("all added", () => (r.last?.length ?? 0) === 56);
    expect(r.all.length - before).toBeLessThan(10);
  });

  test("410 Gone on watch relists and picks up changes made meanwhile", async () => {
    const { api, r } = setup({ role: "pod" }, ["pods"]);
    await until("watch open", () => api.openWatches("pods") === 1);
    const lists = () => api.requests.filter((q) => q.query.get("watch") !== "1").length;
    expect(lists()).toBe(1);
    // The store changes while no event reaches the client, then the version expires.
    api.load("pods", { items: [pod("only", "10.244.7.7", [9000])] });
    api.goneOnNextWatch.add("pods");
    api.closeWatches("pods");
    await until("relisted", () => lists() === 2);
    await until("state from relist", () => addrs(r.last).join() === "10.244.7.7:9000");
    await until("watching again", () => api.openWatches("pods") === 1);
  });

  test("ERROR 410 event relists at once", async () => {
    const { api, r } = setup({ role: "pod" }, ["pods"]);
    await until("watch open", () => api.openWatches("pods") === 1);
    api.load("pods", { items: [] });
    api.expireWatches("pods");
    await until("empty after relist", () => r.last?.length === 0);
    expect(api.requests.filter((q) => q.query.get("watch") !== "1").length).toBe(2);
  });

  test("a cleanly ended stream resumes watching from the last version without a relist", async () => {
    const { api } = setup({ role: "pod" }, ["pods"]);
    await until("watch open", () => api.openWatches("pods") === 1);
    api.emit("pods", "ADDED", pod("scale-2", "10.244.5.2", [80]));
    api.bookmark("pods", "Pod", "v1");
    await Bun.sleep(20);
    api.closeWatches("pods");
    await until("rewatch", () => api.requests.filter((q) => q.query.get("watch") === "1").length === 2);
    const watches = api.requests.filter((q) => q.query.get("watch") === "1");
    expect(Number(watches[1]?.query.get("resourceVersion"))).toBeGreaterThan(
      Number(watches[0]?.query.get("resourceVersion")),
    );
    expect(api.requests.filter((q) => q.query.get("watch") !== "1").length).toBe(1);
  });

  test("endpoints watch pods and services and follow their changes", async () => {
    const { api, r } = setup({ role: "endpoints" }, ["endpoints", "pods", "services"]);
    await until("first report", () => r.all.length === 1);
    expect(addrs(r.last)).toEqual([
      "10.0.5.5:8080",
      "10.244.1.5:8080",
      "10.244.1.5:9113",
      "10.244.2.7:15000",
      "10.244.2.7:9100",
    ]);
    const paths = new Set(api.requests.map((q) => q.path));
    expect([...paths].sort()).toEqual(["/api/v1/endpoints", "/api/v1/pods", "/api/v1/services"]);
    await until("3 watches", () => api.openWatches() === 3);
    const svc = fixture<{ items: Obj[] }>("kubernetes/services.json").items[0]!;
    (svc.metadata as Record<string, unknown>).labels = { "app.kubernetes.io/name": "web", tier: "frontend" };
    api.emit("services", "MODIFIED", svc);
    await until(
      "service label on endpoints targets",
      () => (r.last ?? []).filter((t) => t.__meta_kubernetes_service_label_tier === "frontend").length === 3,
    );
  });

  test("namespaces and selectors shape the watched URLs", async () => {
    const { api, r } = setup(
      {
        role: "pod",
        namespaces: { names: ["default", "monitoring"] },
        selectors: [
          { role: "pod", label: "app=web", field: "spec.nodeName=node-a" },
          { role: "service", label: "ignored=true" },
        ],
      },
      ["pods"],
    );
    await until("first report", () => r.all.length === 1);
    const lists = api.requests.filter((q) => q.query.get("watch") !== "1");
    expect(lists.map((q) => q.path).sort()).toEqual([
      "/api/v1/namespaces/default/pods",
      "/api/v1/namespaces/monitoring/pods",
    ]);
    for (const q of lists) {
      expect(q.query.get("labelSelector")).toBe("app=web");
      expect(q.query.get("fieldSelector")).toBe("spec.nodeName=node-a");
    }
    expect(addrs(r.last)).toContain("[fd00:10:244::5]");
  });

  test("auth headers reach the API server", async () => {
    const dir = mkdtempSync(join(tmpdir(), "k8s-sd-"));
    writeFileSync(join(dir, "token"), "s3cr3t-token\n");
    const f = async (sd: Record<string, unknown>, want: string) => {
      const { api: a, d, r } = setup({ role: "node", ...sd }, ["nodes"]);
      await until("first report", () => r.all.length === 1);
      expect(a.requests[0]?.headers.get("authorization")).toBe(want);
      expect(a.requests[0]?.headers.get("x-scope")).toBe("team-a");
      d.stop();
      a.stop();
    };
    await f({ bearer_token_file: join(dir, "token"), headers: ["X-Scope: team-a"] }, "Bearer s3cr3t-token");
    await f({ basic_auth: { username: "u", password: "p" }, headers: ["X-Scope: team-a"] }, `Basic ${btoa("u:p")}`);
    await f({ authorization: { type: "Token", credentials: "abc" }, headers: ["X-Scope: team-a"] }, "Token abc");
  });

  test("a failing API server still reports an empty first round, then recovers", async () => {
    api = new FakeKubeAPI();
    api.failStatus = 403;
    api.load("nodes", fixture("kubernetes/nodes.json"));
    const cfg = parseKubernetesSDConfig(sdEntry({ api_server: api.url, role: "node" }, "k", true));
    disc = new KubernetesDiscoverer(cfg, ctx(), { minBackoffMs: 10, maxBackoffMs: 20 });
    const r = new Reports();
    disc.start(r.push);
    await until("empty report", () => r.all.length === 1);
    expect(r.last).toEqual([]);
    expect(logs.some((m) => m.includes("403"))).toBe(true);
    api.failStatus = 0;
    await until("recovered", () => r.last?.length === 2);
  });
});

describe("stop", () => {
  test("closes the watch streams and timers; idempotent; no reports afterwards", async () => {
    const { api, d, r } = setup({ role: "endpoints" }, ["endpoints", "pods", "services"]);
    await until("3 watches", () => api.openWatches() === 3);
    d.stop();
    d.stop();
    await until("streams closed", () => api.openWatches() === 0);
    const n = r.all.length;
    api.emit("pods", "ADDED", pod("late", "10.244.8.8", [80]));
    await Bun.sleep(60);
    expect(r.all.length).toBe(n);
  });

  test("is safe without start, and start after stop does nothing", () => {
    const cfg = parseKubernetesSDConfig(sdEntry({ api_server: "http://127.0.0.1:1", role: "pod" }, "k", true));
    const d = new KubernetesDiscoverer(cfg, ctx());
    d.stop();
    d.start(() => {
      throw new Error("Must not report");
    });
    d.stop();
  });
});

describe("connection", () => {
  const sa = mkdtempSync(join(tmpdir(), "k8s-sa-"));
  writeFileSync(join(sa, "token"), "tok");
  writeFileSync(join(sa, "ca.crt"), "-----BEGIN CERTIFICATE-----\n");
  writeFileSync(join(sa, "namespace"), "monitoring");

  test("in-cluster from the service account when api_server is empty", () => {
    const cfg = parseKubernetesSDConfig(sdEntry({ role: "pod", namespaces: { own_namespace: true } }, "k", true));
    const c = resolveAPIConnection(cfg, "/etc/vm", {
      env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" },
      serviceAccountDir: sa,
    });
    expect(c.server).toBe("https://10.96.0.1:443");
    expect(c.http.auth.bearerTokenFile).toBe(join(sa, "token"));
    expect(c.http.auth.tls?.caFile).toBe(join(sa, "ca.crt"));
    expect(c.namespaces).toEqual(["monitoring"]);
  });

  test("errors", () => {
    const f = (sd: Record<string, unknown>, env: Record<string, string>, want: string) => {
      const cfg = parseKubernetesSDConfig(sdEntry(sd, "k", true));
      expect(() => resolveAPIConnection(cfg, "/", { env, serviceAccountDir: "/nonexistent" })).toThrow(want);
    };
    f({ role: "pod" }, {}, "Cannot find KUBERNETES_SERVICE_HOST env var");
    f({ role: "pod" }, { KUBERNETES_SERVICE_HOST: "h" }, "Cannot find KUBERNETES_SERVICE_PORT env var");
    f({ role: "pod", api_server: "h:1", namespaces: { own_namespace: true } }, {}, "own_namespace: true");
    f({ role: "pod", kubeconfig_file: "/nonexistent/kubeconfig" }, {}, "Cannot read kubeconfig");
  });

  test("api_server normalisation", () => {
    const f = (sd: Record<string, unknown>, want: string) => {
      expect(resolveAPIConnection(parseKubernetesSDConfig(sdEntry({ role: "node", ...sd }, "k", true)), "/").server)
        .toBe(want);
    };
    f({ api_server: "10.0.0.1:6443" }, "http://10.0.0.1:6443");
    f({ api_server: "10.0.0.1:6443", tls_config: { insecure_skip_verify: true } }, "https://10.0.0.1:6443");
    f({ api_server: "https://k8s.example.com/prefix//" }, "https://k8s.example.com/prefix");
  });

  test("apiPaths", () => {
    const f = (role: Parameters<typeof apiPaths>[0], ns: string[], want: string[]) =>
      expect(apiPaths(role, ns, [])).toEqual(want);
    f("pod", [], ["/api/v1/pods"]);
    f("node", ["a"], ["/api/v1/nodes"]);
    f("endpointslice", ["a", "b"], [
      "/apis/discovery.k8s.io/v1/namespaces/a/endpointslices",
      "/apis/discovery.k8s.io/v1/namespaces/b/endpointslices",
    ]);
    f("ingress", [], ["/apis/networking.k8s.io/v1/ingresses"]);
    f("endpoints", ["kube-system"], ["/api/v1/namespaces/kube-system/endpoints"]);
  });
});
