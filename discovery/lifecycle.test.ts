import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDnsFixture } from "./dns_fixture.ts";

// stop() must release every timer, watcher, socket and in-flight request: a child
// process that starts and stops one discoverer of each kind has to exit by itself.
test("stopped discoverers keep no handle alive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-sd-life-"));
  writeFileSync(join(dir, "t.yml"), "- targets: [a:1]\n");
  const dns = await startDnsFixture({ "a.test": { A: ["10.0.0.1"] } });
  const silent = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
  let hangs = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      if (new URL(req.url).pathname === "/hang") {
        hangs++;
        return new Promise<Response>(() => {});
      }
      return Response.json([{ targets: ["h:1"] }]);
    },
  });
  try {
    const args = {
      dir,
      httpUrl: `http://127.0.0.1:${server.port}/sd`,
      hangUrl: `http://127.0.0.1:${server.port}/hang`,
      dnsServer: dns.server,
      silentDnsServer: `127.0.0.1:${silent.port}`,
    };
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "_lifecycle_child.ts"), JSON.stringify(args)], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => child.kill(), 10_000);
    const code = await child.exited;
    clearTimeout(timer);
    const out = await new Response(child.stdout).text();
    const err = await new Response(child.stderr).text();
    expect({ code, out: out.trim(), err: err.trim() }).toEqual({ code: 0, out: "stopped", err: "" });
    expect(hangs).toBeGreaterThan(0);
  } finally {
    server.stop(true);
    silent.close();
    dns.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 20_000);

test("file, http and dns kinds are registered", async () => {
  const { DISCOVERY_KINDS } = await import("./registry.ts");
  for (const key of ["file_sd_configs", "http_sd_configs", "dns_sd_configs"]) {
    expect(DISCOVERY_KINDS.get(key)?.key).toBe(key);
  }
});
