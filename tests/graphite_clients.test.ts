/**
 * Real Graphite clients: `nc` (netcat-openbsd) piping plaintext lines, and
 * collectd's write_graphite plugin, both into Drover's -graphiteListenAddr
 * and on to victoria-metrics.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Drover, freePort, have, Proc, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

const VM = have("victoria-metrics");

describe.skipIf(!VM || !have("nc"))("Graphite via nc", () => {
  test("lines piped through nc arrive with tags and timestamps", async () => {
    using dir = tempDir();
    const port = await freePort();
    await using vm = await VictoriaMetrics.start();
    await using _d = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      `-graphiteListenAddr=127.0.0.1:${port}`,
    ]);
    const lines = "servers.web1.cpu.user 12.5 1700000000\nservers.web1.load;dc=eu1;role=web 0.75 1700000010\n";
    const r = spawnSync("nc", ["-q", "1", "127.0.0.1", String(port)], { input: lines });
    expect(r.status).toBe(0);
    await waitFor("nc lines in VM", async () => (await vm.sampleCount('{__name__=~"servers.*"}')) === 2, 20_000);
    const s = await vm.export('{__name__="servers.web1.load"}');
    expect(s[0]!.metric).toEqual({ __name__: "servers.web1.load", dc: "eu1", role: "web" });
    expect(s[0]!.timestamps).toEqual([1_700_000_010_000]);
  });
});

describe.skipIf(!VM || !have("collectd"))("Graphite via collectd write_graphite", () => {
  test("collectd's own metrics reach victoria-metrics", async () => {
    using dir = tempDir();
    const port = await freePort();
    await using vm = await VictoriaMetrics.start();
    await using d = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
      `-graphiteListenAddr=127.0.0.1:${port}`,
    ]);
    const conf = join(dir.path, "collectd.conf");
    writeFileSync(
      conf,
      `Hostname "drover-test"
FQDNLookup false
Interval 1
BaseDir "${dir.path}"
PIDFile "${join(dir.path, "collectd.pid")}"
PluginDir "/usr/lib/collectd"
LoadPlugin load
LoadPlugin memory
LoadPlugin write_graphite
<Plugin write_graphite>
  <Node "drover">
    Host "127.0.0.1"
    Port "${port}"
    Protocol "tcp"
    Prefix "collectd."
    StoreRates true
    AlwaysAppendDS false
    EscapeCharacter "_"
  </Node>
</Plugin>
`,
    );
    await using _collectd = new Proc("collectd", ["collectd", "-f", "-C", conf]);
    await waitFor(
      "collectd load and memory series",
      async () => (await vm.sampleCount('{__name__=~"collectd\\\\.drover-test\\\\.load\\\\..*"}')) >= 2,
      30_000,
    );
    const names = (await vm.export('{__name__=~"collectd\\\\.drover-test\\\\..*"}')).map((s) => s.metric.__name__!);
    expect(names.some((n) => n.startsWith("collectd.drover-test.memory."))).toBe(true);
    expect(await d.metric('vm_rows_invalid_total{type="graphite"}')).toBe(0);
  });
});
