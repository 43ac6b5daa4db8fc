/**
 * TCP/UDP line listeners, exercised with InfluxDB line protocol: lines split
 * across TCP chunks, several connections, UDP datagrams, an over-long line,
 * and an HTTP request sent to the TCP port. Compared with the real vmagent.
 */
import { describe, expect, test } from "bun:test";
import { type AgentRole, differential, Drover, freePort, have, tempDir, waitFor } from "./_harness.ts";

const READY = have("victoria-metrics") && have("vmagent");

/** Sends `chunks` over one TCP connection, one write per chunk, then closes it. */
async function sendTcp(port: number, chunks: string[]): Promise<string> {
  let reply = "";
  const { promise: closed, resolve } = Promise.withResolvers<void>();
  const s = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s, d) {
        reply += d.toString();
      },
      close() {
        resolve();
      },
    },
  });
  for (const c of chunks) {
    s.write(c);
    s.flush();
    await Bun.sleep(5);
  }
  s.end();
  await closed;
  return reply;
}

async function sendUdp(port: number, datagrams: string[]): Promise<void> {
  const sock = await Bun.udpSocket({});
  for (const d of datagrams) sock.send(d, port, "127.0.0.1");
  await Bun.sleep(50);
  sock.close();
}

const T = 1_700_000_000;

describe.skipIf(!READY)("line listeners (Influx over TCP and UDP)", () => {
  test("TCP chunks, several connections and UDP datagrams arrive as with vmagent", async () => {
    const ports: Record<AgentRole, number> = { vmagent: 0, drover: 0 };
    const { vmagent, drover } = await differential({
      agentArgs: [],
      perAgentArgs: async (role) => {
        ports[role] = await freePort();
        return [`-influxListenAddr=127.0.0.1:${ports[role]}`];
      },
      expectSamples: 9,
      send: async (_url, role) => {
        const port = ports[role];
        // One line split in the middle of a tag, and a last line without a newline.
        await sendTcp(port, [
          "tcp,host=a,reg",
          `ion=eu value=1 ${T}000000000\ntcp,host=b value=2 ${T}000000000\n`,
          `tcp,host=c value=3 ${T}000000000`,
        ]);
        await Promise.all([1, 2, 3].map((i) => sendTcp(port, [`conn,i=${i} v=${i} ${T}000000000\n`])));
        await sendUdp(port, [`udp,d=1 v=1 ${T}000000000\nudp,d=2 v=2 ${T}000000000`, `udp,d=3 v=3 ${T}000000000\n`]);
      },
    });
    expect(drover).toHaveLength(9);
    expect(drover).toEqual(vmagent);
  });

  test("an HTTP request to the TCP port gets a 400 naming the flag; an over-long line is skipped", async () => {
    using dir = tempDir();
    const port = await freePort();
    await using d = await Drover.start([
      `-influxListenAddr=127.0.0.1:${port}`,
      "-influx.maxLineSize=100",
      `-remoteWrite.tmpDataPath=${dir.path}`,
      `-remoteWrite.quickstartFile=${dir.path}/q.jsonl`,
    ]);
    const reply = await sendTcp(port, ["POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nm f=1 1\n"]);
    expect(reply).toStartWith("HTTP/1.1 400 Bad Request");
    expect(reply).toContain("-influxListenAddr");
    await sendTcp(port, [`long,t=${"x".repeat(200)} v=1\nshort v=1\n`]);
    await waitFor("the short line", async () => (await d.metric('vmagent_rows_inserted_total{type="influx"}')) === 1);
    expect(await d.metric('vm_rows_invalid_total{type="influx"}')).toBe(1);
    expect(await d.metricSum("drover_ingestserver_http_requests_rejected_total")).toBe(1);
  });
});
