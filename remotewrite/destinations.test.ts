import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseFlags } from "../config/flags.ts";
import { resolveDestinations } from "./destinations.ts";
import { sendBlock } from "./client.ts";

const DIR = mkdtempSync(join(tmpdir(), "drover-destinations-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function destinations(flags: string[]) {
  const r = parseFlags(["-remoteWrite.url=http://127.0.0.1:1/w", `-remoteWrite.tmpDataPath=${DIR}`, ...flags], {
    env: {},
    cpus: 1,
  });
  if (r.kind !== "config") throw new Error(JSON.stringify(r));
  return resolveDestinations(r.config);
}

test("resolveDestinations() applies the auth flags with promauth: credentials, then -remoteWrite.headers", async () => {
  writeFileSync(join(DIR, "pw"), "from-file\n");
  writeFileSync(join(DIR, "tok"), "t1\n");
  let seen: Headers | undefined;
  using server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => ((seen = req.headers), new Response(null, { status: 204 })),
  });
  const f = async (flags: string[], want: string | null) => {
    const [d] = destinations(flags);
    await sendBlock({ ...d!.client, url: `http://127.0.0.1:${server.port}/w` }, new Uint8Array(1));
    expect([seen?.get("authorization") ?? null, seen?.get("x-a") ?? null, seen?.get("content-encoding") ?? null])
      .toEqual([want, "b", "snappy"]);
  };
  await f(["-remoteWrite.headers=X-A: b"], null);
  await f(
    ["-remoteWrite.headers=X-A: b", "-remoteWrite.basicAuth.username=u", "-remoteWrite.basicAuth.password=p"],
    `Basic ${btoa("u:p")}`,
  );
  await f([
    "-remoteWrite.headers=X-A: b",
    "-remoteWrite.basicAuth.username=u",
    `-remoteWrite.basicAuth.passwordFile=${join(DIR, "pw")}`,
  ], `Basic ${btoa("u:from-file")}`);
  await f(["-remoteWrite.headers=X-A: b^^Authorization: overridden", "-remoteWrite.bearerToken=t"], "Bearer t");
  await f(["-remoteWrite.headers=X-A: b", `-remoteWrite.bearerTokenFile=${join(DIR, "tok")}`], "Bearer t1");
  writeFileSync(join(DIR, "tok"), "t2\n");
  await f(["-remoteWrite.headers=X-A: b", `-remoteWrite.bearerTokenFile=${join(DIR, "tok")}`], "Bearer t2");
});

test("resolveDestinations() rejects conflicting or incomplete auth flags with promauth's rules, naming the flags", () => {
  const f = (flags: string[], want: string) => expect(() => destinations(flags)).toThrow(want);
  const at = `Cannot use the auth flags of -remoteWrite.url "1:secret-url": `;
  f(
    ["-remoteWrite.basicAuth.password=p"],
    `${at}-remoteWrite.basicAuth.*: missing \`-remoteWrite.basicAuth.username\``,
  );
  f(
    [
      "-remoteWrite.basicAuth.username=u",
      "-remoteWrite.basicAuth.password=p",
      "-remoteWrite.basicAuth.passwordFile=/f",
    ],
    `${at}-remoteWrite.basicAuth.*: both \`-remoteWrite.basicAuth.password\` and \`-remoteWrite.basicAuth.passwordFile\` are set`,
  );
  f(
    ["-remoteWrite.basicAuth.username=u", "-remoteWrite.bearerToken=t"],
    `${at}-remoteWrite.bearerToken: cannot be used together with \`authorization\` or \`-remoteWrite.basicAuth.*\``,
  );
  f(
    ["-remoteWrite.bearerToken=t", "-remoteWrite.bearerTokenFile=/t"],
    `${at}both \`-remoteWrite.bearerToken\` and \`-remoteWrite.bearerTokenFile\` are set`,
  );
  f(
    [`-remoteWrite.bearerTokenFile=${join(DIR, "missing")}`],
    `Cannot read -remoteWrite.bearerTokenFile "${join(DIR, "missing")}"`,
  );
});
