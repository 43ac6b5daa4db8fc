import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HTTPClient } from "./client.ts";
import { type AuthConfig, type HTTPClientConfig, NO_AUTH, NO_HTTP_CLIENT } from "./config.ts";
import { tlsOptions } from "./transport.ts";

const DIR = mkdtempSync(join(tmpdir(), "drover-promauth-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const client = (auth: Partial<AuthConfig>, o: Partial<HTTPClientConfig> = {}) =>
  new HTTPClient({ ...NO_HTTP_CLIENT, auth: { ...NO_AUTH, ...auth }, ...o });

describe("HTTPClient", () => {
  const seen: Headers[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      seen.push(req.headers);
      return new URL(req.url).pathname === "/redirect" ? Response.redirect("/ok", 302) : new Response("ok");
    },
  });
  afterAll(() => server.stop(true));
  const url = (path = "/ok") => `http://127.0.0.1:${server.port}${path}`;

  test("fetch() sends the caller's headers, then the configured ones, then the credentials", async () => {
    writeFileSync(join(DIR, "pw"), "from-file \n");
    writeFileSync(join(DIR, "tok"), "t1\n");
    const f = async (auth: Partial<AuthConfig>, want: string | null) => {
      const res = await client({ headers: [["X-Team", "blue"], ["Authorization", "overridden"]], ...auth }).fetch(
        url(),
        { headers: { "X-Team": "red", "User-Agent": "ua" } },
      );
      expect(await res.text()).toBe("ok");
      const h = seen.at(-1)!;
      expect([h.get("x-team"), h.get("user-agent"), h.get("authorization")]).toEqual([
        "blue",
        "ua",
        want ?? "overridden",
      ]);
    };
    await f({}, null);
    await f(
      { basicAuth: { username: "u", usernameFile: null, password: "p", passwordFile: null } },
      `Basic ${btoa("u:p")}`,
    );
    await f({
      basicAuth: { username: "", usernameFile: join(DIR, "tok"), password: null, passwordFile: join(DIR, "pw") },
    }, `Basic ${btoa("t1:from-file")}`);
    await f({ bearerToken: "abc" }, "Bearer abc");
    await f({ bearerTokenFile: join(DIR, "tok") }, "Bearer t1");
    await f({ authorization: { type: "Token", credentials: "c", credentialsFile: null } }, "Token c");
    await f({ authorization: { type: "Bearer", credentials: null, credentialsFile: join(DIR, "tok") } }, "Bearer t1");
    // Files are read per request: a rotated token is used at once.
    writeFileSync(join(DIR, "tok"), "t2\n");
    await f({ bearerTokenFile: join(DIR, "tok") }, "Bearer t2");
  });

  test("fetch() rejects when a secret file cannot be read", async () => {
    expect(client({ bearerTokenFile: join(DIR, "missing") }).fetch(url())).rejects.toThrow(
      `cannot read \`bearer_token_file\` from "${join(DIR, "missing")}"`,
    );
  });

  test("follow_redirects", async () => {
    expect((await client({}).fetch(url("/redirect"))).status).toBe(200);
    expect((await client({}, { followRedirects: false }).fetch(url("/redirect"))).status).toBe(302);
  });

  test("proxy_url with the proxy's own headers and credentials", async () => {
    const proxied: string[] = [];
    using proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        proxied.push(`${req.url} ${req.headers.get("proxy-authorization")} ${req.headers.get("x-proxy")}`);
        return await fetch(req.url, { headers: req.headers, proxy: false });
      },
    });
    const proxyAuth = {
      ...NO_AUTH,
      basicAuth: { username: "pu", usernameFile: null, password: "pp", passwordFile: null },
      headers: [["X-Proxy", "1"] as const],
    };
    const res = await client({ bearerToken: "target" }, {
      proxyURL: `http://127.0.0.1:${proxy.port}`,
      proxy: proxyAuth,
    }).fetch(url());
    expect(await res.text()).toBe("ok");
    expect(proxied).toEqual([`${url()} Basic ${btoa("pu:pp")} 1`]);
    expect(seen.at(-1)?.get("authorization")).toBe("Bearer target");
    expect(client({}, { proxyURL: "socks5://127.0.0.1:1080" }).fetch(url())).rejects.toThrow(
      `unsupported proxy_url scheme "socks5"`,
    );
  });
});

test("tlsOptions() reads the PEM files on use", async () => {
  writeFileSync(join(DIR, "ca.pem"), "CA PEM");
  const tls = {
    ca: null,
    caFile: join(DIR, "ca.pem"),
    cert: "CERT",
    certFile: null,
    key: null,
    keyFile: null,
    serverName: "",
    insecureSkipVerify: false,
    minVersion: "",
  };
  expect(await tlsOptions(null)).toBeUndefined();
  expect(await tlsOptions(tls)).toEqual({ ca: "CA PEM", cert: "CERT" });
  expect(await tlsOptions({ ...tls, caFile: null, cert: null, serverName: "k8s", insecureSkipVerify: true })).toEqual({
    serverName: "k8s",
    rejectUnauthorized: false,
  });
  expect(tlsOptions({ ...tls, keyFile: join(DIR, "nope.pem") })).rejects.toThrow("cannot read `key_file`");
});
