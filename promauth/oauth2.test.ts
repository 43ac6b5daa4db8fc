import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OAuth2Config } from "./config.ts";
import { oauth2Header } from "./oauth2.ts";

const DIR = mkdtempSync(join(tmpdir(), "drover-oauth2-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** A token endpoint answering `reply(n)` to its n-th request (from 1); the forms it got in `forms`. */
function tokenServer(reply: (n: number) => Response | Promise<Response>) {
  const forms: URLSearchParams[] = [];
  const auths: (string | null)[] = [];
  const fake: typeof fetch = Object.assign(
    async (_url: string | URL | Request, init?: RequestInit) => {
      forms.push(new URLSearchParams(String(init?.body)));
      auths.push(new Headers(init?.headers).get("authorization"));
      return await reply(forms.length);
    },
    { preconnect: fetch.preconnect },
  );
  return { fake, forms, auths };
}

let n = 0;
const config = (o: Partial<OAuth2Config> = {}): OAuth2Config => ({
  clientId: "id:1",
  clientSecret: "s&2",
  clientSecretFile: null,
  scopes: ["read", "write"],
  tokenURL: `https://auth.example/token/${n++}`,
  endpointParams: [["audience", "x"]],
  tls: null,
  proxyURL: null,
  headers: [],
  ...o,
});

test("oauth2Header() posts the client-credentials form and caches the token until 10 s before expiry", async () => {
  const s = tokenServer((i) => Response.json({ access_token: `t${i}`, token_type: "bearer", expires_in: 60 }));
  const c = config();
  let now = 1_000_000;
  const clock = () => now;
  expect(await oauth2Header(c, s.fake, clock)).toBe("Bearer t1");
  expect(s.forms[0]?.toString()).toBe("grant_type=client_credentials&scope=read+write&audience=x");
  expect(s.auths[0]).toBe(`Basic ${btoa("id%3A1:s%262")}`);
  now += 49_000;
  expect(await oauth2Header(c, s.fake, clock)).toBe("Bearer t1");
  now += 2_000;
  expect(await oauth2Header(c, s.fake, clock)).toBe("Bearer t2");
  expect(s.forms).toHaveLength(2);
});

test("oauth2Header() shares one request between concurrent callers, and retries after a failure", async () => {
  const s = tokenServer((
    i,
  ) => (i === 1 ? new Response("nope", { status: 401 }) : Response.json({ access_token: "ok", token_type: "MAC" })));
  const c = config();
  const all = await Promise.allSettled([oauth2Header(c, s.fake), oauth2Header(c, s.fake)]);
  expect(all.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  expect(String((all[0] as PromiseRejectedResult).reason)).toContain("cannot get OAuth2 token from");
  expect(s.forms).toHaveLength(1);
  expect(await oauth2Header(c, s.fake)).toBe("MAC ok");
  // No expires_in: the token never expires (golang.org/x/oauth2).
  expect(await oauth2Header(c, s.fake, () => Date.now() + 1e12)).toBe("MAC ok");
  expect(s.forms).toHaveLength(2);
});

test("oauth2Header() reads client_secret_file on every call: a rotated secret gets a new token", async () => {
  const s = tokenServer((i) => Response.json({ access_token: `t${i}` }));
  const file = join(DIR, "secret");
  writeFileSync(file, "one\n");
  const c = config({ clientSecret: null, clientSecretFile: file });
  expect(await oauth2Header(c, s.fake)).toBe("Bearer t1");
  expect(await oauth2Header(c, s.fake)).toBe("Bearer t1");
  writeFileSync(file, "two\n");
  expect(await oauth2Header(c, s.fake)).toBe("Bearer t2");
  expect(s.auths[1]).toBe(`Basic ${btoa("id%3A1:two")}`);
  rmSync(file);
  expect(oauth2Header(c, s.fake)).rejects.toThrow("cannot read `client_secret_file`");
});

test("oauth2Header() rejects responses without a token", async () => {
  const f = async (body: string, want: string) => {
    const s = tokenServer(() => new Response(body));
    expect(oauth2Header(config(), s.fake)).rejects.toThrow(want);
  };
  await f("{", "cannot parse the response");
  await f(`{"access_token": ""}`, "no access_token");
});
