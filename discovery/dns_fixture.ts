/**
 * Test fixture: a tiny authoritative DNS server over UDP on 127.0.0.1 that
 * answers A, AAAA, SRV and MX questions from a mutable table. Responses are
 * encoded by hand (RFC 1035 / 2782 / 3596). Unknown names get NXDOMAIN, known
 * names without records of the asked type get an empty NOERROR answer.
 *
 * Lifetime: `startDnsFixture()` binds the socket; `close()` releases it.
 *
 * @module
 */

import { concatBytes } from "../protocols/_shared/bytes.ts";

/** One SRV record (RFC 2782). */
export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

/** One MX record (RFC 1035). */
export interface MxRecord {
  readonly preference: number;
  readonly exchange: string;
}

/** The records of one name; replace entries of {@linkcode DnsFixture.records} to change answers. */
export interface DnsRecords {
  A?: readonly string[];
  AAAA?: readonly string[];
  SRV?: readonly SrvRecord[];
  MX?: readonly MxRecord[];
}

/** A running fixture server. */
export interface DnsFixture {
  /** "127.0.0.1:<port>", ready for `Resolver.setServers()`. */
  readonly server: string;
  /** Lower-case names without the trailing dot → records. Mutable. */
  readonly records: Map<string, DnsRecords>;
  /** Questions received, as "TYPE name". */
  readonly queries: string[];
  close(): void;
}

const TYPE_A = 1;
const TYPE_MX = 15;
const TYPE_AAAA = 28;
const TYPE_SRV = 33;
const TYPE_NAMES: Record<number, string> = { [TYPE_A]: "A", [TYPE_MX]: "MX", [TYPE_AAAA]: "AAAA", [TYPE_SRV]: "SRV" };

/** Starts the server on a free UDP port of 127.0.0.1. */
export async function startDnsFixture(records: Record<string, DnsRecords> = {}): Promise<DnsFixture> {
  const table = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase(), v]));
  const queries: string[] = [];
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(sock, buf, port, addr) {
        const resp = answer(new Uint8Array(buf), table, queries);
        if (resp !== null) sock.send(resp, port, addr);
      },
    },
  });
  return {
    server: `127.0.0.1:${socket.port}`,
    records: table,
    queries,
    close: () => socket.close(),
  };
}

function answer(q: Uint8Array, table: Map<string, DnsRecords>, queries: string[]): Uint8Array | null {
  if (q.length < 12) return null;
  const dv = new DataView(q.buffer, q.byteOffset, q.byteLength);
  if (dv.getUint16(4) < 1) return null;
  // Question: labels, QTYPE, QCLASS.
  let off = 12;
  const labels: string[] = [];
  for (;;) {
    const len = q[off];
    if (len === undefined || len > 63) return null;
    off++;
    if (len === 0) break;
    labels.push(new TextDecoder().decode(q.subarray(off, off + len)));
    off += len;
  }
  if (off + 4 > q.length) return null;
  const qtype = dv.getUint16(off);
  const questionEnd = off + 4;
  const name = labels.join(".").toLowerCase();
  queries.push(`${TYPE_NAMES[qtype] ?? String(qtype)} ${name}`);

  const recs = table.get(name);
  const rdatas: Uint8Array[] = [];
  if (recs !== undefined) {
    if (qtype === TYPE_A) { for (const ip of recs.A ?? []) rdatas.push(ipv4(ip)); }
    if (qtype === TYPE_AAAA) { for (const ip of recs.AAAA ?? []) rdatas.push(ipv6(ip)); }
    if (qtype === TYPE_SRV) {
      for (const r of recs.SRV ?? []) {
        rdatas.push(concatBytes([u16(r.priority), u16(r.weight), u16(r.port), encodeName(r.target)]));
      }
    }
    if (qtype === TYPE_MX) {
      for (const r of recs.MX ?? []) rdatas.push(concatBytes([u16(r.preference), encodeName(r.exchange)]));
    }
  }
  const header = new Uint8Array(12);
  const hv = new DataView(header.buffer);
  hv.setUint16(0, dv.getUint16(0)); // id
  const rd = dv.getUint16(2) & 0x0100;
  const rcode = recs === undefined ? 3 : 0;
  hv.setUint16(2, 0x8000 | 0x0400 | rd | 0x0080 | rcode); // QR, AA, RD copied, RA
  hv.setUint16(4, 1);
  hv.setUint16(6, rdatas.length);
  const parts: Uint8Array[] = [header, q.subarray(12, questionEnd)];
  for (const rdata of rdatas) {
    // Name as a pointer to the question (offset 12), type, class IN, TTL 1s, rdata.
    parts.push(concatBytes([u16(0xc00c), u16(qtype), u16(1), u16(0), u16(1), u16(rdata.length), rdata]));
  }
  return concatBytes(parts);
}

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

function encodeName(name: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const label of name.replace(/\.$/, "").split(".")) {
    if (label === "") continue;
    const b = new TextEncoder().encode(label);
    parts.push(new Uint8Array([b.length]), b);
  }
  parts.push(new Uint8Array([0]));
  return concatBytes(parts);
}

function ipv4(ip: string): Uint8Array {
  const p = ip.split(".").map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new TypeError(`Bad IPv4 address in fixture: ${ip}`);
  return new Uint8Array(p);
}

function ipv6(ip: string): Uint8Array {
  const [head = "", tail] = ip.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8) throw new TypeError(`Bad IPv6 address in fixture: ${ip}`);
  return concatBytes(groups.map((g) => u16(Number.parseInt(g, 16))));
}
