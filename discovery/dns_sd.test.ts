import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sdEntry, sorted, testContext, until, Updates } from "./_test_util.ts";
import { type DnsFixture, startDnsFixture } from "./dns_fixture.ts";
import { canonicalIp, dnsSdKind, joinHostPort } from "./dns_sd.ts";
import type { TargetLabels } from "./types.ts";

const P = "scrape_configs[3].dns_sd_configs[0]";

describe("dnsSdKind.parse", () => {
  test("valid entries", () => {
    const f = (raw: unknown, strict: boolean, want: unknown) => {
      expect(dnsSdKind.parse(sdEntry(raw, P, strict))).toEqual(want as never);
    };
    f({ names: ["_x._tcp.example.com"] }, true, { names: ["_x._tcp.example.com"], type: "" });
    f({ names: ["a.example.com"], type: "a", port: 9100 }, true, { names: ["a.example.com"], type: "a", port: 9100 });
    f({ names: ["a"], port: "80" }, true, { names: ["a"], type: "", port: 80 });
    f({ names: ["a"], refresh_interval: "30s" }, false, { names: ["a"], type: "" });
    // Semantic problems (bad type, missing port, no names) fail discovery rounds, not the config load, as in vmagent.
    f({ type: "TXT" }, true, { names: [], type: "TXT" });
  });

  test("errors start with the path", () => {
    const f = (raw: unknown, strict: boolean, want: string) => {
      let err: unknown;
      try {
        dnsSdKind.parse(sdEntry(raw, P, strict));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toStartWith(P);
      expect((err as Error).message).toContain(want);
    };
    f({ names: ["a"], refresh_interval: "30s" }, true, ': unknown field "refresh_interval"');
    f({ names: "a" }, true, ".names: got string");
    f({ names: ["a"], port: "http" }, true, ".port: got string");
    f({ names: ["a"], port: 1.5 }, true, ".port: got number");
    f({ names: ["a"], type: ["A"] }, true, ".type: got a list");
  });

  test("canonicalIp and joinHostPort follow Go", () => {
    const f = (s: string, want: unknown) => expect(canonicalIp(s)).toEqual(want as never);
    f("10.0.0.1", { family: 4, text: "10.0.0.1" });
    f("2001:DB8:0:0:0:0:0:1", { family: 6, text: "2001:db8::1" });
    f("2001:db8:0:1:0:0:0:0", { family: 6, text: "2001:db8:0:1::" });
    f("2001:db8:0:1:1:1:1:1", { family: 6, text: "2001:db8:0:1:1:1:1:1" });
    f("::", { family: 6, text: "::" });
    f("::1", { family: 6, text: "::1" });
    f("::ffff:1.2.3.4", { family: 4, text: "1.2.3.4" });
    f("1.2.3", null);
    f("256.1.1.1", null);
    f("fe80::1%eth0", null);
    f("1::2::3", null);
    expect(joinHostPort("::1", 80)).toBe("[::1]:80");
    expect(joinHostPort("h.example", 80)).toBe("h.example:80");
  });
});

describe("DnsSdDiscoverer against a real DNS server", () => {
  let dns: DnsFixture;
  let dir: string;
  let hostsPath: string;

  beforeAll(async () => {
    dns = await startDnsFixture({
      "_node._tcp.svc.test": {
        SRV: [
          { priority: 10, weight: 5, port: 9100, target: "n1.svc.test." },
          { priority: 20, weight: 5, port: 9200, target: "n2.svc.test" },
        ],
      },
      "_other._tcp.svc.test": { SRV: [{ priority: 1, weight: 1, port: 8080, target: "o.svc.test" }] },
      "hosts.svc.test": { A: ["10.0.0.1", "10.0.0.2"], AAAA: ["2001:db8::1"] },
      "v6only.svc.test": { AAAA: ["2001:db8::5"] },
      "mail.test": { MX: [{ preference: 10, exchange: "mx1.mail.test" }] },
      "fromhosts.test": { A: ["10.9.9.9"] },
    });
    dir = mkdtempSync(join(tmpdir(), "drover-dnssd-"));
    hostsPath = join(dir, "hosts");
    writeFileSync(hostsPath, "# comment\n127.0.0.5  fromhosts.test alias.test # trailing\n::1 fromhosts.test\n");
  });
  afterAll(() => {
    dns.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function round(raw: Record<string, unknown>): Promise<{ got: readonly TargetLabels[]; logs: string[] }> {
    const ctx = testContext(dir, 3_600_000, { dnsServers: [dns.server], hostsPath });
    const disc = dnsSdKind.create(dnsSdKind.parse(sdEntry(raw, P, true)), ctx);
    const u = new Updates();
    disc.start(u.onUpdate);
    const got = await u.waitFor("first round", () => true);
    disc.stop();
    return { got, logs: ctx.logs };
  }

  test("SRV (default type); a failing name is skipped, others kept", async () => {
    const { got, logs } = await round({ names: ["_node._tcp.svc.test", "missing.svc.test", "_other._tcp.svc.test"] });
    expect(sorted(got)).toEqual([
      {
        __address__: "n1.svc.test:9100",
        __meta_dns_name: "_node._tcp.svc.test",
        __meta_dns_srv_record_target: "n1.svc.test",
        __meta_dns_srv_record_port: "9100",
      },
      {
        __address__: "n2.svc.test:9200",
        __meta_dns_name: "_node._tcp.svc.test",
        __meta_dns_srv_record_target: "n2.svc.test",
        __meta_dns_srv_record_port: "9200",
      },
      {
        __address__: "o.svc.test:8080",
        __meta_dns_name: "_other._tcp.svc.test",
        __meta_dns_srv_record_target: "o.svc.test",
        __meta_dns_srv_record_port: "8080",
      },
    ]);
    expect(logs.length).toBe(1);
    expect(logs[0]).toContain('dns_sd_config: skipping SRV lookup for "missing.svc.test" because of error');
  });

  test("A and AAAA use the configured port and srv labels, as vmagent", async () => {
    const a = await round({ names: ["hosts.svc.test"], type: "A", port: 9100 });
    expect(sorted(a.got)).toEqual([
      {
        __address__: "10.0.0.1:9100",
        __meta_dns_name: "hosts.svc.test",
        __meta_dns_srv_record_target: "10.0.0.1",
        __meta_dns_srv_record_port: "9100",
      },
      {
        __address__: "10.0.0.2:9100",
        __meta_dns_name: "hosts.svc.test",
        __meta_dns_srv_record_target: "10.0.0.2",
        __meta_dns_srv_record_port: "9100",
      },
    ]);
    const aaaa = await round({ names: ["hosts.svc.test", "v6only.svc.test"], type: "aaaa", port: 80 });
    expect(sorted(aaaa.got)).toEqual([
      {
        __address__: "[2001:db8::1]:80",
        __meta_dns_name: "hosts.svc.test",
        __meta_dns_srv_record_target: "2001:db8::1",
        __meta_dns_srv_record_port: "80",
      },
      {
        __address__: "[2001:db8::5]:80",
        __meta_dns_name: "v6only.svc.test",
        __meta_dns_srv_record_target: "2001:db8::5",
        __meta_dns_srv_record_port: "80",
      },
    ]);
    expect(aaaa.logs).toEqual([]);
    const missing = await round({ names: ["v6only.svc.test"], type: "A", port: 80 });
    expect(missing.got).toEqual([]);
    expect(missing.logs.join("\n")).toContain('error in A lookup for "v6only.svc.test"');
  });

  test("A/AAAA read the hosts file first", async () => {
    const queriesBefore = dns.queries.length;
    const a = await round({ names: ["fromhosts.test", "alias.test."], type: "A", port: 1 });
    expect(sorted(a.got).map((t) => t.__address__)).toEqual(["127.0.0.5:1", "127.0.0.5:1"]);
    const aaaa = await round({ names: ["FromHosts.test"], type: "AAAA", port: 2 });
    expect(aaaa.got.map((t) => t.__address__)).toEqual(["[::1]:2"]);
    expect(dns.queries.length).toBe(queriesBefore);
  });

  test("MX with the default port 25", async () => {
    const { got } = await round({ names: ["mail.test"], type: "MX" });
    expect(got).toEqual([{
      __address__: "mx1.mail.test:25",
      __meta_dns_name: "mail.test",
      __meta_dns_mx_record_target: "mx1.mail.test",
    }]);
    const withPort = await round({ names: ["mail.test"], type: "MX", port: 587 });
    expect(withPort.got[0]?.__address__).toBe("mx1.mail.test:587");
  });

  test("config errors fail each round with vmagent's messages", async () => {
    const f = async (raw: Record<string, unknown>, want: string) => {
      const { got, logs } = await round(raw);
      expect(got).toEqual([]);
      expect(logs.join("\n")).toContain(want);
    };
    await f({ names: [] }, "`names` cannot be empty in `dns_sd_config`");
    await f(
      { names: ["a"], type: "TXT" },
      'unexpected `type` in `dns_sd_config`: "TXT"; supported values: SRV, A, AAAA',
    );
    await f({ names: ["a"], type: "A" }, "missing `port` in `dns_sd_config` for `type: A`");
  });

  test("record changes are picked up on the next check", async () => {
    dns.records.set("dyn.svc.test", { A: ["10.1.0.1"] });
    const ctx = testContext(dir, 50, { dnsServers: [dns.server], hostsPath });
    const disc = dnsSdKind.create({ names: ["dyn.svc.test"], type: "A", port: 80 }, ctx);
    const u = new Updates();
    disc.start(u.onUpdate);
    try {
      await u.waitFor("initial", (t) => t.length === 1);
      dns.records.set("dyn.svc.test", { A: ["10.1.0.1", "10.1.0.2"] });
      await u.waitFor("grown", (t) => t.length === 2);
      // A name that stops resolving drops its targets (vmagent skips failed names).
      dns.records.delete("dyn.svc.test");
      await u.waitFor("gone", (t) => t.length === 0);
      await until("error logged", () => ctx.logs.some((l) => l.includes("dyn.svc.test")));
    } finally {
      disc.stop();
    }
  });
});
