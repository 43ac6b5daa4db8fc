import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { NO_AUTH, NO_HTTP_CLIENT } from "../promauth/config.ts";
import { sdEntry, sorted, testContext, until, Updates } from "./_test_util.ts";
import { httpSdKind, httpTargets, parseHttpSdResponse } from "./http_sd.ts";

const P = "scrape_configs[0].http_sd_configs[0]";

describe("httpSdKind.parse", () => {
  test("valid entries", () => {
    const f = (raw: unknown, strict: boolean, want: unknown) => {
      expect(httpSdKind.parse(sdEntry(raw, P, strict, "/etc/drover"))).toEqual(want as never);
    };
    f({ url: "http://sd:8080/targets" }, true, { url: "http://sd:8080/targets", client: NO_HTTP_CLIENT });
    f(
      {
        url: "https://sd/t",
        basic_auth: { username: "u", password: "p" },
        tls_config: { ca_file: "ca.pem", insecure_skip_verify: true, server_name: "" },
        headers: ["X-A: b"],
        follow_redirects: false,
        proxy_url: "http://proxy:3128",
        proxy_bearer_token: "pt",
      },
      true,
      {
        url: "https://sd/t",
        client: {
          auth: {
            ...NO_AUTH,
            headers: [["X-A", "b"]],
            basicAuth: { username: "u", usernameFile: null, password: "p", passwordFile: null },
            tls: {
              ca: null,
              caFile: "/etc/drover/ca.pem",
              cert: null,
              certFile: null,
              key: null,
              keyFile: null,
              serverName: "",
              insecureSkipVerify: true,
              minVersion: "",
            },
          },
          followRedirects: false,
          proxyURL: "http://proxy:3128",
          proxy: { ...NO_AUTH, bearerToken: "pt" },
        },
      },
    );
    f({ url: "http://x", refresh_interval: "30s" }, false, { url: "http://x", client: NO_HTTP_CLIENT });
  });

  test("errors start with the path", () => {
    const f = (raw: unknown, strict: boolean, want: string) => {
      let err: unknown;
      try {
        httpSdKind.parse(sdEntry(raw, P, strict));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toStartWith(P);
      expect((err as Error).message).toContain(want);
    };
    f({ url: "http://x", refresh_interval: "30s" }, true, ': unknown field "refresh_interval"');
    f({ url: ["a"] }, true, ".url: got a list");
    f({ url: "http://x", basic_auth: "u:p" }, true, `.basic_auth: got string "u:p"; want a map`);
    f({ url: "http://x", basic_auth: { username: "u", pass: "p" } }, true, ".basic_auth.pass: unknown field");
    f(
      { url: "http://x", tls_config: { insecure_skip_verify: "maybe" } },
      true,
      ".tls_config.insecure_skip_verify: got string",
    );
    f({ url: "http://x", proxy_url: "::nope" }, true, ".proxy_url: cannot parse URL");
    // Semantic problems are config errors too, with vmagent's messages (promauth).
    f(
      { url: "http://x", basic_auth: { username: "u", password: "p", password_file: "x" } },
      true,
      ".basic_auth: both `password` and `password_file` are set",
    );
    f(
      { url: "http://x", basic_auth: { username: "u" }, bearer_token: "t" },
      true,
      ".bearer_token: cannot be used together with `authorization` or `basic_auth`",
    );
    f({ url: "http://x", basic_auth: { password: "p" } }, true, ".basic_auth: missing `username`");
    f({ url: "http://x", headers: ["bad"] }, true, `.headers[0]: missing ':' in header "bad"`);
    f({ url: "http://x", oauth2: { client_id: "a", scopes: "s" } }, true, ".oauth2.scopes: got string");
  });
});

describe("response decoding", () => {
  test("parseHttpSdResponse + httpTargets", () => {
    const f = (body: string, want: unknown) => {
      expect(httpTargets(parseHttpSdResponse(body, "/sd"), "http://h/sd")).toEqual(want as never);
    };
    f("[]", []);
    f("null", []);
    f(
      '[{"targets": ["a:1", "b:2"], "labels": {"x": "y", "__meta_url": "spoof", "__address__": "spoof"}, "extra": 1}, null, {"Targets": ["c:3"]}]',
      [
        { x: "y", __address__: "a:1", __meta_url: "http://h/sd" },
        { x: "y", __address__: "b:2", __meta_url: "http://h/sd" },
        { __address__: "c:3", __meta_url: "http://h/sd" },
      ],
    );
    f('[{"targets": null, "labels": null}]', []);
  });

  test("bad bodies", () => {
    const f = (body: string, want: string) => {
      expect(() => parseHttpSdResponse(body, "/sd")).toThrow(`cannot parse http_sd api response path="/sd": ${want}`);
    };
    f("{", "");
    f('{"targets": []}', "got a map; want a list of target groups");
    f('[{"targets": [1]}]', "[0].targets: got number 1; want a string");
    f('[{"targets": "a"}]', "[0].targets: got string");
    f('[{"labels": {"a": 1}}]', "[0].labels.a: got number 1");
    f("[1]", "[0]: got number 1");
  });
});

describe("HttpSdDiscoverer against a real server", () => {
  let server: Server<undefined>;
  let dir: string;
  const seen: Headers[] = [];
  let status = 200;
  let body = "[]";
  let tokenRequests = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "drover-httpsd-"));
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        const url = new URL(req.url);
        if (url.pathname === "/token") {
          tokenRequests++;
          const form = new URLSearchParams(await req.text());
          if (
            req.headers.get("authorization") !== `Basic ${btoa("cid:csecret")}` ||
            form.get("grant_type") !== "client_credentials"
          ) {
            return new Response("bad client", { status: 401 });
          }
          return Response.json({
            access_token: `tok-${form.get("scope")}-${form.get("audience")}`,
            token_type: "bearer",
            expires_in: 3600,
          });
        }
        seen.push(new Headers(req.headers));
        const want = url.searchParams.get("auth");
        if (want !== null && req.headers.get("authorization") !== want) {
          return new Response("unauthorized", { status: 401 });
        }
        return new Response(body, { status });
      },
    });
  });
  afterAll(() => {
    server.stop(true);
    rmSync(dir, { recursive: true, force: true });
  });

  const base = () => `http://127.0.0.1:${server.port}`;

  async function firstRound(raw: Record<string, unknown>, checkMs = 3_600_000) {
    const ctx = testContext(dir, checkMs);
    const disc = httpSdKind.create(httpSdKind.parse(sdEntry(raw, P, true, dir)), ctx);
    const u = new Updates();
    disc.start(u.onUpdate);
    const got = await u.waitFor("first round", () => true);
    disc.stop();
    return { got, logs: ctx.logs };
  }

  test("request headers and target labels", async () => {
    body = '[{"targets": ["10.0.0.1:9100"], "labels": {"dc": "eu"}}]';
    status = 200;
    seen.length = 0;
    const url = `${base()}/sd?x=1`;
    const ctx = testContext(dir, 90_000);
    const disc = httpSdKind.create(httpSdKind.parse(sdEntry({ url, headers: ["X-Team: blue"] }, P, true)), ctx);
    const u = new Updates();
    disc.start(u.onUpdate);
    const got = await u.waitFor("round", () => true);
    disc.stop();
    expect(got).toEqual([{ dc: "eu", __address__: "10.0.0.1:9100", __meta_url: url }]);
    const h = seen[0];
    expect(h?.get("x-prometheus-refresh-interval-seconds")).toBe("90");
    expect(h?.get("accept")).toBe("application/json");
    expect(h?.get("x-team")).toBe("blue");
    expect(h?.get("user-agent")).toBe("vm_promscrape/discovery");
  });

  test("auth options reach the server", async () => {
    body = '[{"targets": ["ok:1"]}]';
    status = 200;
    writeFileSync(join(dir, "token.txt"), "file-token\n");
    writeFileSync(join(dir, "pw.txt"), "pw-from-file\n");
    const f = async (auth: Record<string, unknown>, header: string) => {
      const { got, logs } = await firstRound({ url: `${base()}/sd?auth=${encodeURIComponent(header)}`, ...auth });
      expect(logs).toEqual([]);
      expect(got.map((t) => t.__address__)).toEqual(["ok:1"]);
    };
    await f({ basic_auth: { username: "user", password: "pass" } }, `Basic ${btoa("user:pass")}`);
    await f({ basic_auth: { username: "user", password_file: "pw.txt" } }, `Basic ${btoa("user:pw-from-file")}`);
    await f({ bearer_token: "tok" }, "Bearer tok");
    await f({ bearer_token_file: "token.txt" }, "Bearer file-token");
    await f({ authorization: { type: "Token", credentials: "abc" } }, "Token abc");
    await f({ authorization: { credentials_file: join(dir, "token.txt") } }, "Bearer file-token");
    await f(
      {
        oauth2: {
          client_id: "cid",
          client_secret: "csecret",
          token_url: `${base()}/token`,
          scopes: ["read"],
          endpoint_params: { audience: "sd" },
        },
      },
      "Bearer tok-read-sd",
    );
    expect(tokenRequests).toBe(1);
  });

  test("request-time errors fail the round like vmagent, with an empty first update", async () => {
    const f = async (raw: Record<string, unknown>, want: string) => {
      const { got, logs } = await firstRound({ url: `${base()}/sd`, ...raw });
      expect(got).toEqual([]);
      expect(logs.join("\n")).toContain(want);
    };
    await f({ bearer_token_file: "missing.txt" }, "cannot read `bearer_token_file`");
    await f({ url: "not a url" }, "cannot parse http_sd URL");
    await f({ proxy_url: "socks5://127.0.0.1:1" }, "unsupported proxy_url scheme");
  });

  test("bad status or body keeps the previous targets", async () => {
    body = '[{"targets": ["a:1"]}, {"targets": ["b:1"]}]';
    status = 200;
    const ctx = testContext(dir, 50);
    const disc = httpSdKind.create({
      url: `${base()}/sd`,
      client: httpSdKind.parse(sdEntry({ url: "" }, P, true)).client,
    }, ctx);
    const u = new Updates();
    disc.start(u.onUpdate);
    try {
      await u.waitFor("two targets", (t) => t.length === 2);
      const n = u.all.length;
      status = 503;
      body = "overloaded";
      await until(
        "status error",
        () => ctx.logs.some((l) => l.includes("unexpected status code") && l.includes("503")),
      );
      status = 200;
      body = "[{";
      await until("parse error", () => ctx.logs.some((l) => l.includes("cannot parse http_sd api response")));
      expect(u.all.length).toBe(n);
      body = '[{"targets": ["c:1"]}]';
      await u.waitFor("recovered", (t) => t.length === 1 && t[0]?.__address__ === "c:1");
      expect(sorted(u.all[n - 1]).map((t) => t.__address__)).toEqual(["a:1", "b:1"]);
    } finally {
      disc.stop();
    }
  });

  test("proxy_url with proxy auth", async () => {
    body = '[{"targets": ["via-proxy:1"]}]';
    status = 200;
    const proxied: string[] = [];
    const proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        proxied.push(`${req.url} ${req.headers.get("proxy-authorization")}`);
        const resp = await fetch(req.url, { headers: req.headers, proxy: false });
        return new Response(await resp.text(), { status: resp.status });
      },
    });
    try {
      const { got, logs } = await firstRound({
        url: `${base()}/sd`,
        proxy_url: `http://127.0.0.1:${proxy.port}`,
        proxy_basic_auth: { username: "pu", password: "pp" },
      });
      expect(logs).toEqual([]);
      expect(got.map((t) => t.__address__)).toEqual(["via-proxy:1"]);
      expect(proxied).toEqual([`${base()}/sd Basic ${btoa("pu:pp")}`]);
    } finally {
      proxy.stop(true);
    }
  });

  test("unreachable server: error logged, empty first update", async () => {
    const { got, logs } = await firstRound({ url: "http://127.0.0.1:1/sd" });
    expect(got).toEqual([]);
    expect(logs.join("\n")).toContain("cannot fetch");
  });
});

describe.skipIf(Bun.which("openssl") === null)("HttpSdDiscoverer over TLS", () => {
  let server: Server<undefined>;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "drover-httpsd-tls-"));
    const gen = Bun.spawnSync(
      [
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stderr: "pipe" },
    );
    if (gen.exitCode !== 0) throw new Error(`openssl failed: ${gen.stderr.toString()}`);
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: Bun.file(join(dir, "cert.pem")), key: Bun.file(join(dir, "key.pem")) },
      fetch: () => Response.json([{ targets: ["tls:1"] }]),
    });
  });
  afterAll(() => {
    server.stop(true);
    rmSync(dir, { recursive: true, force: true });
  });

  test("tls_config: ca_file, insecure_skip_verify, server_name", async () => {
    const f = async (tls: Record<string, unknown> | undefined, wantOk: boolean) => {
      const ctx = testContext(dir, 3_600_000);
      const raw = { url: `https://127.0.0.1:${server.port}/sd`, ...(tls !== undefined && { tls_config: tls }) };
      const disc = httpSdKind.create(httpSdKind.parse(sdEntry(raw, P, true, dir)), ctx);
      const u = new Updates();
      disc.start(u.onUpdate);
      const got = await u.waitFor("round", () => true);
      disc.stop();
      expect({ targets: got.map((t) => t.__address__), failed: ctx.logs.length > 0 }).toEqual(
        wantOk ? { targets: ["tls:1"], failed: false } : { targets: [], failed: true },
      );
    };
    await f(undefined, false);
    await f({ ca_file: "cert.pem" }, true);
    await f({ insecure_skip_verify: true }, true);
    await f({ ca_file: "cert.pem", server_name: "other.example" }, false);
    await f({ ca_file: "missing.pem" }, false);
  });
});
