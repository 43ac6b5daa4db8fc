/**
 * The seed's "push and high availability" topology: haproxy in front of two
 * identical Drover nodes, clients pushing through it, one node killed with
 * SIGKILL mid-stream. Every acknowledged sample must reach VictoriaMetrics.
 *
 * The killed node's acknowledged-but-unsent blocks are in its disk queue; as
 * under systemd (`Restart=on-failure`), the node is started again on the
 * same queue and delivers them.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { snappyCompress } from "../protocols/_shared/snappy.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { Drover, freePort, have, Proc, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

const READY = have("victoria-metrics") && have("haproxy");

function batch(n: number, series: number): Uint8Array {
  const b = new BlockBuilder();
  for (let i = 0; i < series; i++) {
    b.beginSeries();
    b.addLabel("__name__", "ha_push_metric");
    b.addLabel("batch", String(n));
    b.addLabel("series", String(i));
    b.addSample(n, 1_700_000_000_000 + n);
    b.endSeries();
  }
  return snappyCompress(b.finish());
}

function haproxyConfig(port: number, backends: number[]): string {
  return `global
  maxconn 1000
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  retries 3
  option redispatch
  retry-on conn-failure empty-response response-timeout
frontend push
  bind 127.0.0.1:${port}
  default_backend agents
backend agents
  balance roundrobin
  option httpchk GET /health
  http-check expect status 200
  default-server inter 100ms fall 1 rise 2
${backends.map((p, i) => `  server agent${i} 127.0.0.1:${p} check`).join("\n")}
`;
}

describe.skipIf(!READY)("HA push topology", () => {
  test("haproxy + two Drover nodes: killing one loses no acknowledged sample", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    const ports = [await freePort(), await freePort()];
    const nodeArgs = (i: number) => [
      `-httpListenAddr=127.0.0.1:${ports[i]}`,
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${join(dir.path, `node${i}`)}`,
    ];
    await using a = await Drover.start(nodeArgs(0));
    await using b = await Drover.start(nodeArgs(1));
    const lbPort = await freePort();
    const cfgPath = join(dir.path, "haproxy.cfg");
    writeFileSync(cfgPath, haproxyConfig(lbPort, ports));
    await using _lb = new Proc("haproxy", ["haproxy", "-f", cfgPath, "-db"]);
    await waitFor("haproxy", async () => (await fetch(`http://127.0.0.1:${lbPort}/health`)).ok);

    const SERIES = 50;
    const acked = new Set<number>();
    let failed = 0;
    let next = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const n = next++;
        // A client retries an unacknowledged batch, as Prometheus does.
        for (let attempt = 0; attempt < 20 && !stop; attempt++) {
          const res = await fetch(`http://127.0.0.1:${lbPort}/api/v1/write`, { method: "POST", body: batch(n, SERIES) })
            .catch(() => null);
          if (res?.status === 204) {
            acked.add(n);
            break;
          }
          failed++;
          await Bun.sleep(20);
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await waitFor(
      "traffic through both nodes",
      async () => acked.size >= 100 && (await a.metricSum("vmagent_rows_inserted_total")) > 0,
    );
    await a.p.kill();
    const killedAt = acked.size;
    await waitFor("traffic after the kill", () => acked.size >= killedAt + 200);
    stop = true;
    await Promise.all(clients);

    // systemd would restart the node; it delivers what it acknowledged from its disk queue.
    await using a2 = await Drover.start(nodeArgs(0));
    await waitFor(
      "every acknowledged batch in VictoriaMetrics",
      async () => {
        const got = new Map<number, number>();
        for (const s of await vm.export('{__name__="ha_push_metric"}')) {
          const n = Number(s.metric.batch);
          got.set(n, (got.get(n) ?? 0) + 1);
        }
        for (const n of acked) if (got.get(n) !== SERIES) return false;
        return true;
      },
      60_000,
    );
    expect(acked.size).toBeGreaterThanOrEqual(300);
    expect(await b.metricSum("vmagent_rows_inserted_total")).toBeGreaterThan(0);
    expect(await a2.p.stop()).toBe(0);
    console.log(`HA push: ${acked.size} batches acknowledged, ${failed} attempts failed over`);
  });
});
