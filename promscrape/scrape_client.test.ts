import { describe, expect, test } from "bun:test";
import { scrapeTarget } from "./scrape_client.ts";
import type { ScrapeWork } from "./targets.ts";
import { scrapeWork } from "./_scrape_testing.ts";
import { type AuthConfig, NO_AUTH, NO_HTTP_CLIENT } from "../promauth/config.ts";

const withAuth = (auth: Partial<AuthConfig>) => ({ client: { ...NO_HTTP_CLIENT, auth: { ...NO_AUTH, ...auth } } });

function work(url: string, over: Partial<ScrapeWork> = {}): ScrapeWork {
  return scrapeWork({ id: url, scrapeURL: url, ...over });
}

describe("scrapeTarget()", () => {
  test("sends vmagent's headers and auth; refuses bodies over max_scrape_size; reports bad statuses", async () => {
    let seen: Headers | undefined;
    let tokenRequests = 0;
    using server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        const path = new URL(req.url).pathname;
        if (path === "/token") {
          tokenRequests++;
          const form = new URLSearchParams(await req.text());
          expect(form.get("grant_type")).toBe("client_credentials");
          expect(form.get("scope")).toBe("read");
          return Response.json({ access_token: "tok-1", expires_in: 3600 });
        }
        seen = req.headers;
        if (path === "/big") return new Response("x".repeat(5000));
        if (path === "/fail") return new Response("nope", { status: 500 });
        return new Response("m 1\n");
      },
    });
    const base = `http://127.0.0.1:${server.port}`;
    const body = await scrapeTarget(
      work(
        `${base}/metrics`,
        withAuth({ basicAuth: { username: "u", usernameFile: null, password: "p", passwordFile: null } }),
      ),
    );
    expect(new TextDecoder().decode(body!)).toBe("m 1\n");
    expect(seen?.get("user-agent")).toBe("vm_promscrape");
    expect(seen?.get("x-prometheus-scrape-timeout-seconds")).toBe("1");
    expect(seen?.get("authorization")).toBe(`Basic ${btoa("u:p")}`);
    const oauth2 = {
      clientId: "c",
      clientSecret: "s",
      clientSecretFile: null,
      scopes: ["read"],
      tokenURL: `${base}/token`,
      endpointParams: [],
      tls: null,
      proxyURL: null,
      headers: [],
    };
    for (let i = 0; i < 2; i++) await scrapeTarget(work(`${base}/metrics`, withAuth({ oauth2 })));
    expect(seen?.get("authorization")).toBe("Bearer tok-1");
    expect(tokenRequests).toBe(1);
    expect(scrapeTarget(work(`${base}/big`, { maxScrapeSize: 1000 }))).rejects.toThrow(/max_scrape_size/);
    expect(scrapeTarget(work(`${base}/fail`))).rejects.toThrow(/unexpected status code .* 500/);
    expect(scrapeTarget(work("http://127.0.0.1:1/metrics"))).rejects.toThrow(/cannot perform request/);
  });
});
