import { afterEach, describe, expect, test } from "bun:test";
import { FakeConsul, fixture } from "../testdata/replay_server.ts";
import type { DiscoveryContext, TargetLabels } from "../types.ts";
import { parseConsulSDConfig } from "./config.ts";
import { ConsulDiscoverer } from "./consul_discoverer.ts";
import { aggregatedStatus, parseServiceNodes, serviceNodeTarget } from "./service_node.ts";
import { sdEntry } from "../_test_util.ts";

const REDIS: Record<string, string> = {
  __address__: "10.1.10.12:8000",
  __meta_consul_address: "10.1.10.12",
  __meta_consul_dc: "dc1",
  __meta_consul_health: "passing",
  __meta_consul_namespace: "default",
  __meta_consul_partition: "default",
  __meta_consul_node: "foobar",
  __meta_consul_service: "redis",
  __meta_consul_service_address: "10.1.10.12",
  __meta_consul_service_id: "redis",
  __meta_consul_service_port: "8000",
  __meta_consul_tags: ",primary,v1,",
  __meta_consul_tag_primary: "",
  __meta_consul_tagpresent_primary: "true",
  __meta_consul_tag_v1: "",
  __meta_consul_tagpresent_v1: "true",
  __meta_consul_metadata_instance_type: "t2.medium",
  __meta_consul_service_metadata_redis_version: "4.0",
  __meta_consul_tagged_address_lan: "10.1.10.12",
  __meta_consul_tagged_address_wan: "10.1.10.12",
};
const WEB: Record<string, string> = {
  // No service address: the node address is used.
  __address__: "10.1.10.21:8080",
  __meta_consul_address: "10.1.10.21",
  __meta_consul_dc: "dc1",
  __meta_consul_health: "warning",
  __meta_consul_namespace: "",
  __meta_consul_partition: "",
  __meta_consul_node: "web-1",
  __meta_consul_service: "web",
  __meta_consul_service_address: "",
  __meta_consul_service_id: "web-1-8080",
  __meta_consul_service_port: "8080",
  __meta_consul_tags: ",http,env=prod,",
  __meta_consul_tag_http: "",
  __meta_consul_tagpresent_http: "true",
  __meta_consul_tag_env: "prod",
  __meta_consul_tagpresent_env: "true",
  __meta_consul_metadata_consul_network_segment: "",
  __meta_consul_metadata_rack: "r1",
  __meta_consul_tagged_address_lan: "10.1.10.21",
  __meta_consul_tagged_address_lan_ipv4: "10.1.10.21",
  __meta_consul_tagged_address_wan: "203.0.113.21",
};

test("service node labels", () => {
  const f = (file: string, name: string, sep: string, want: Record<string, string>) => {
    const sns = parseServiceNodes(JSON.stringify(fixture(`consul/${file}`)));
    expect(sns.map((sn) => serviceNodeTarget(sn, name, sep))).toEqual([want]);
  };
  f("health_service_redis.json", "redis", ",", REDIS);
  f("health_service_web.json", "web", ",", WEB);
  f("health_service_web.json", "web", ";", { ...WEB, __meta_consul_tags: ";http;env=prod;" });
  expect(() => parseServiceNodes(`{"items":[]}`)).toThrow("expected a JSON array");
  expect(() => parseServiceNodes(``)).toThrow();
});

test("aggregatedStatus", () => {
  const f = (checks: [string, string][], want: string) =>
    expect(aggregatedStatus(checks.map(([checkID, status]) => ({ checkID, status })))).toBe(want);
  f([], "passing");
  f([["a", "passing"], ["b", "warning"]], "warning");
  f([["a", "critical"], ["b", "warning"]], "critical");
  f([["_node_maintenance", "critical"], ["b", "passing"]], "maintenance");
  f([["_service_maintenance:web", "x"]], "maintenance");
  f([["a", "unknown"]], "");
});

test("parseConsulSDConfig", () => {
  const c = parseConsulSDConfig(
    sdEntry({ server: "consul:8500", services: ["web"], node_meta: { rack: "r1" }, allow_stale: false }, "c", true),
  );
  expect(c.tagSeparator).toBe(",");
  expect(c.allowStale).toBe(false);
  expect(c.nodeMeta).toEqual([["rack", "r1"]]);
  expect(c.token).toBeNull();
  expect(parseConsulSDConfig(sdEntry({}, "c", true)).allowStale).toBe(true);
  const f = (raw: unknown, want: string) =>
    expect(() => parseConsulSDConfig(sdEntry(raw, "sc[0].consul_sd_configs[1]", true))).toThrow(want);
  f(
    { token: "a", bearer_token: "b" },
    "sc[0].consul_sd_configs[1]: token and bearer_token cannot be set simultaneously",
  );
  f({ username: "a", basic_auth: { username: "b" } }, "username and basic_auth cannot be set simultaneously");
  f({ scheme: "ftp" }, "sc[0].consul_sd_configs[1].scheme: unsupported scheme");
  f({ services: "web" }, "sc[0].consul_sd_configs[1].services: expected a list of strings");
  f({ refresh_interval: "30s" }, 'unknown field "refresh_interval"');
});

describe("discoverer", () => {
  let consul: FakeConsul | null = null;
  let d: ConsulDiscoverer | null = null;
  afterEach(() => {
    d?.stop();
    consul?.stop();
    d = null;
    consul = null;
  });
  const ctx: DiscoveryContext = {
    baseDir: "/",
    checkIntervalMs: 20,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const reports: (readonly TargetLabels[])[] = [];
  const until = async (what: string, cond: () => boolean) => {
    const end = Date.now() + 5000;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
      await Bun.sleep(5);
    }
  };

  function start(sd: Record<string, unknown>, env: Record<string, string> = {}): FakeConsul {
    consul = new FakeConsul();
    consul.set("/v1/agent/self", fixture("consul/agent_self.json"));
    consul.set("/v1/catalog/services", fixture("consul/catalog_services.json"));
    consul.set("/v1/health/service/redis", fixture("consul/health_service_redis.json"));
    consul.set("/v1/health/service/web", fixture("consul/health_service_web.json"));
    consul.set("/v1/health/service/consul", []);
    const cfg = parseConsulSDConfig(sdEntry({ server: consul.url, ...sd }, "consul_sd_configs[0]", true));
    reports.length = 0;
    d = new ConsulDiscoverer(cfg, ctx, { env, waitSeconds: 5, minCheckIntervalMs: 0 });
    d.start((t) => reports.push(t));
    return consul;
  }
  const byAddr = (ts: readonly TargetLabels[] | undefined) =>
    [...(ts ?? [])].sort((a, b) => (a.__address__! < b.__address__! ? -1 : 1));

  test("first round, datacenter from the agent, query arguments and auth", async () => {
    const c = start({
      token: "consul-acl-token",
      services: ["REDIS", "web"],
      node_meta: { rack: "r1" },
      namespace: "team-a",
      partition: "p1",
    });
    await until("first report", () => reports.length === 1);
    expect(byAddr(reports[0])).toEqual([REDIS, WEB]);
    const health = c.requests.find((q) => q.path === "/v1/health/service/redis");
    expect(health?.query.get("dc")).toBe("dc1");
    expect(health?.query.has("stale")).toBe(true);
    expect(health?.query.get("ns")).toBe("team-a");
    expect(health?.query.get("partition")).toBe("p1");
    expect(health?.query.get("node-meta")).toBe("rack:r1");
    expect(health?.query.get("index")).toBe("0");
    expect(health?.query.get("wait")).toBe("5s");
    expect(health?.headers.get("authorization")).toBe("Bearer consul-acl-token");
    expect(c.requests.some((q) => q.path === "/v1/health/service/consul")).toBe(false);
  });

  test("blocking queries pick up a change", async () => {
    const c = start({ tags: ["primary"], datacenter: "dc1", username: "u", password: "p" });
    await until("first report", () => reports.length === 1);
    expect(reports[0]?.map((t) => t.__address__)).toEqual(["10.1.10.12:8000"]);
    expect(c.requests.some((q) => q.path === "/v1/agent/self")).toBe(false);
    expect(c.requests.find((q) => q.path === "/v1/health/service/redis")?.query.get("tag")).toBe("primary");
    expect(c.requests[0]?.headers.get("authorization")).toBe(`Basic ${btoa("u:p")}`);
    // Wait until the loops hold blocking queries (index = current X-Consul-Index).
    await until("held queries", () => c.held >= 2);
    const held = c.requests.filter((q) => q.path === "/v1/health/service/redis").at(-1);
    expect(Number(held?.query.get("index"))).toBeGreaterThan(0);
    const redis = fixture<Record<string, Record<string, unknown>>[]>("consul/health_service_redis.json");
    redis.push({ ...redis[0]!, Service: { ...redis[0]!.Service, ID: "redis-2", Address: "10.1.10.13" } });
    c.set("/v1/health/service/redis", redis);
    await until("second instance", () => reports.at(-1)?.length === 2);
    expect(byAddr(reports.at(-1)).map((t) => t.__meta_consul_service_id)).toEqual(["redis", "redis-2"]);
  });

  test("a service leaving the catalog drops its targets; env token applies", async () => {
    const c = start({ datacenter: "dc1" }, { CONSUL_HTTP_TOKEN: "from-env" });
    await until("first report", () => reports.length === 1);
    expect(reports[0]?.length).toBe(2);
    expect(c.requests[0]?.headers.get("authorization")).toBe("Bearer from-env");
    c.set("/v1/catalog/services", { consul: [], web: ["http"] });
    await until("redis gone", () => reports.at(-1)?.length === 1);
    expect(reports.at(-1)?.[0]?.__meta_consul_service).toBe("web");
  });

  test("stop ends the query loops and timers and is idempotent", async () => {
    const c = start({ datacenter: "dc1" });
    await until("held queries", () => c.held >= 3);
    const n = reports.length;
    d!.stop();
    d!.stop();
    c.set("/v1/health/service/web", []);
    await Bun.sleep(60);
    expect(reports.length).toBe(n);
    const before = c.requests.length;
    await Bun.sleep(60);
    expect(c.requests.length).toBe(before);
  });
});
