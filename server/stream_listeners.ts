/**
 * TCP and UDP listeners of the line protocols (`-graphiteListenAddr`,
 * `-influxListenAddr`, `-opentsdbListenAddr`).
 *
 * The main thread only cuts each TCP stream at its last newline and hands
 * the block of complete lines to a parse worker (like VictoriaMetrics'
 * `ReadLinesBlock`); the tail waits for the next chunk. A UDP datagram is a
 * block of its own. When the parse rings are full the socket is paused, so
 * back-pressure reaches the sender through TCP flow control instead of
 * growing memory.
 *
 * Better than vmagent: a client that speaks HTTP to one of these ports gets
 * an HTTP 400 naming the flag to use (vmagent only logs a hint for Influx).
 * On the OpenTSDB port a connection whose first byte is not `p` is HTTP
 * (vmagent's listener switch) and is served on the same socket by the
 * HTTP/1.1 server's connection handler (http1.ts) with the `/api/put` routes.
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import type { Logger } from "../log/logger.ts";
import type { StreamListener } from "../protocols/_shared/route.ts";
import type { Metric, Registry } from "../selfmetrics/registry.ts";
import type { WorkerPool } from "../workers/pool.ts";
import { concatBytes } from "../protocols/_shared/bytes.ts";
import { parseListenAddr } from "./listen_addr.ts";
import { Http1Conn, type Http1Handler } from "./http1.ts";

const NL = 0x0a;
const EMPTY = new Uint8Array(0);
const HTTP_REQUEST_LINE_REGEXP = /^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH) \S+ HTTP\/\d\.\d\r?$/;

interface ConnState {
  /** Bytes after the last newline, waiting for the rest of their line. */
  carry: Uint8Array | null;
  /** Skipping an over-long line until its newline. */
  skipping: boolean;
  first: boolean;
  /** Set on the OpenTSDB port for HTTP connections: the HTTP/1.1 connection that serves them. */
  http: Http1Conn | null;
}

interface ListenerMetrics {
  conns: Metric;
  accepted: Metric;
  blocks: Metric;
  dropped: Metric;
  tooLong: Metric;
  httpRejected: Metric;
}

/** Something to stop on shutdown. */
export interface Stoppable {
  stop(): void | Promise<void>;
}

function metricsFor(r: Registry, name: string, net: "tcp" | "udp"): ListenerMetrics {
  const l = { name, net };
  return {
    conns: r.metric("vm_ingestserver_conns", l),
    accepted: r.metric("vm_ingestserver_conns_accepted_total", l),
    blocks: r.metric("vm_ingestserver_requests_total", { type: name, name: "write", net }),
    dropped: r.metric("drover_ingestserver_blocks_dropped_total", l),
    tooLong: r.metric("drover_ingestserver_lines_too_long_total", l),
    httpRejected: r.metric("drover_ingestserver_http_requests_rejected_total", l),
  };
}

/**
 * Starts the TCP and UDP listeners of `spec` if its flag is set. `httpFor`
 * makes the HTTP handler of the `httpFallback` routes.
 */
export function startStreamListener(
  cfg: Config,
  spec: StreamListener,
  pool: WorkerPool,
  registry: Registry,
  log: Logger,
  httpFor: (routes: NonNullable<StreamListener["httpFallback"]>) => Http1Handler,
): Stoppable[] {
  const addr = spec.addr(cfg);
  if (addr === "") return [];
  const { hostname, port } = parseListenAddr(addr, `-${spec.flag}`);
  const maxLine = spec.maxLineSize(cfg);
  const stops: Stoppable[] = [];
  const l = log.child(`${spec.protocol} listener`);

  /**
   * Hands a block to a worker: `head` (the carried start of its first line,
   * may be empty) then `block`, copied into the ring as they are, without
   * joining them first. Pauses `pause`/`resume` around a full ring.
   */
  const deliver = (
    head: Uint8Array,
    block: Uint8Array,
    m: ListenerMetrics,
    pause?: () => void,
    resume?: () => void,
  ): void => {
    m.blocks.inc();
    if (pool.tryPushStream(spec.type, head, block)) return;
    // The rings are full: keep a copy (the chunk may be reused) and stop reading.
    pause?.();
    void pool.pushStream(spec.type, head.byteLength === 0 ? block.slice() : concatBytes([head, block])).then((ok) => {
      if (!ok) {
        m.dropped.inc();
        l.warn(`dropped a block of ${block.byteLength} bytes: the parse rings stayed full`);
      }
      resume?.();
    });
  };

  /** Cuts `chunk` (appended to the carry) at its last newline and delivers the complete lines. */
  const onLines = (
    st: ConnState,
    chunk: Uint8Array,
    m: ListenerMetrics,
    pause: () => void,
    resume: () => void,
  ): void => {
    let buf = chunk;
    if (st.skipping) {
      const nl = buf.indexOf(NL);
      if (nl < 0) return;
      st.skipping = false;
      buf = buf.subarray(nl + 1);
    }
    const last = buf.lastIndexOf(NL);
    let tail: Uint8Array;
    if (last >= 0) {
      deliver(st.carry ?? EMPTY, buf.subarray(0, last + 1), m, pause, resume);
      st.carry = null;
      tail = buf.subarray(last + 1);
    } else {
      // No line ends in this chunk: it all waits, after what already waited.
      tail = st.carry === null ? buf : concatBytes([st.carry, buf]);
      st.carry = null;
    }
    if (tail.byteLength === 0) return;
    if (tail.byteLength > maxLine) {
      m.tooLong.inc();
      l.warn(
        `skipping a line longer than ${maxLine} bytes; see ${
          spec.flag === "influxListenAddr" ? "-influx.maxLineSize" : "the line size limit"
        }`,
      );
      st.skipping = true;
      return;
    }
    st.carry = tail.slice();
  };

  if (spec.tcp) {
    const m = metricsFor(registry, spec.protocol, "tcp");
    const http = spec.httpFallback !== undefined ? httpFor(spec.httpFallback) : null;
    const server = Bun.listen<ConnState>({
      hostname,
      port,
      // An HTTP client that half-closes its side still gets its answer.
      allowHalfOpen: true,
      socket: {
        open(s) {
          s.data = { carry: null, skipping: false, first: true, http: null };
          m.conns.inc();
          m.accepted.inc();
        },
        data(s, chunk) {
          const st = s.data;
          if (st.http !== null) return st.http.onData(chunk);
          if (st.first) {
            st.first = false;
            if (http !== null && chunk[0] !== 0x70 /* p */) {
              st.http = new Http1Conn(s as import("bun").Socket<unknown>, http, null);
              s.timeout(60);
              st.http.onData(chunk);
              return;
            }
            const nl = chunk.indexOf(NL);
            const firstLine = new TextDecoder().decode(
              chunk.subarray(0, nl < 0 ? Math.min(chunk.byteLength, 200) : nl),
            );
            if (HTTP_REQUEST_LINE_REGEXP.test(firstLine)) {
              m.httpRejected.inc();
              const hint = `this is the ${spec.protocol} TCP port set by -${spec.flag}; it does not speak HTTP. ` +
                `Send HTTP requests to -httpListenAddr instead` +
                (spec.flag === "influxListenAddr"
                  ? "; do not set -influxListenAddr if you only need the HTTP protocol"
                  : "");
              l.warn(`rejected an HTTP request from ${s.remoteAddress}: ${hint}`);
              s.end(
                `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${
                  Buffer.byteLength(hint) + 1
                }\r\n\r\n${hint}\n`,
              );
              return;
            }
          }
          onLines(st, chunk, m, () => s.pause(), () => s.resume());
        },
        close(s) {
          m.conns.inc(-1);
          const st = s.data;
          if (st.http !== null) {
            st.http.onClose();
            return;
          }
          // A last line without a trailing newline still counts.
          if (st.carry !== null && !st.skipping) deliver(EMPTY, st.carry, m);
          st.carry = null;
        },
        drain(s) {
          s.data.http?.onDrain();
        },
        end(s) {
          // The client is done sending: an HTTP connection answers first; a line connection closes.
          if (s.data.http !== null) s.data.http.onEnd();
          else s.end();
        },
        timeout(s) {
          s.data.http?.onTimeout();
        },
        error(s, err) {
          l.warn(`connection error from ${s.remoteAddress}: ${err.message}`);
        },
      },
    });
    l.info(`listening for ${spec.protocol} over TCP at ${hostname}:${server.port}`);
    stops.push({ stop: () => server.stop(true) });
  }

  if (spec.udp) {
    const m = metricsFor(registry, spec.protocol, "udp");
    void Bun.udpSocket({
      hostname,
      port,
      socket: {
        data(_s, buf) {
          // A datagram holds whole lines; one without a trailing newline is still complete.
          deliver(EMPTY, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), m);
        },
      },
    }).then((sock) => {
      l.info(`listening for ${spec.protocol} over UDP at ${hostname}:${sock.port}`);
      stops.push({ stop: () => sock.close() });
    });
  }
  return stops;
}
