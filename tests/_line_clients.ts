/**
 * Clients for the TCP/UDP line listeners in integration tests (Graphite,
 * OpenTSDB telnet): send a payload over TCP or UDP, and give each agent of a
 * differential run its own listen port.
 *
 * @module
 */

import { type AgentRole, freePort, waitFor } from "./_harness.ts";

/** Sends `data` on a new TCP connection (retrying until the listener is up) and waits for the server to close it. */
export async function sendTCP(port: number, data: string | Uint8Array): Promise<void> {
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  let drained: (() => void) | undefined;
  let sock: Awaited<ReturnType<typeof Bun.connect>> | undefined;
  await waitFor(`TCP listener on ${port}`, async () => {
    sock = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: { data() {}, drain: () => drained?.(), close: () => closed(), error: () => closed() },
    });
    return true;
  });
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let off = 0;
  while (off < bytes.length) {
    off += Math.max(0, sock!.write(bytes.subarray(off)));
    if (off < bytes.length) await new Promise<void>((r) => (drained = r));
  }
  sock!.end();
  // The server closes after reading EOF; the timeout only guards against a server that keeps it open.
  await Promise.race([done, Bun.sleep(3000)]);
}

/** Sends each datagram to 127.0.0.1:`port` over UDP. */
export async function sendUDP(port: number, datagrams: readonly string[]): Promise<void> {
  const sock = await Bun.udpSocket({});
  for (const d of datagrams) if (!sock.send(d, port, "127.0.0.1")) throw new Error(`UDP send to ${port} failed`);
  sock.close();
}

/** One free port per agent, passed as `-<flag>=127.0.0.1:<port>`. */
export function portsPerAgent(
  flag: string,
): { args: (role: AgentRole) => Promise<string[]>; port: (role: AgentRole) => number } {
  const ports = new Map<AgentRole, number>();
  return {
    args: async (role) => {
      const p = await freePort();
      ports.set(role, p);
      return [`-${flag}=127.0.0.1:${p}`];
    },
    port: (role) => ports.get(role)!,
  };
}
