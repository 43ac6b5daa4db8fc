/**
 * HTTP routes and TCP/UDP listener of the InfluxDB line protocol, plus the
 * `/query` shim that answers `SHOW DATABASES` for Telegraf and friends.
 *
 * @module
 */

import type { Config } from "../../config/flags.ts";
import { BodyType } from "../_shared/protocol.ts";
import type { Route, StreamListener } from "../_shared/route.ts";

const GO_ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/**
 * Go's `%q` of a string (strconv.Quote) for the printable-ASCII-and-Unicode
 * names a database list holds; control chars are escaped as Go does.
 */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = GO_ESCAPES[ch];
    const c = ch.codePointAt(0)!;
    if (esc !== undefined) out += esc;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * The body vmagent v1.79.5 answers on `/query`, byte for byte (captured from
 * the real binary in tests/influx.test.ts).
 */
export function databaseNamesBody(names: readonly string[]): string {
  const values = names.map((n) => `[${goQuote(n)}]`).join(",");
  return `{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[${values}]}]}]}`;
}

/** `-influx.databaseNames`; unset or empty means the default `_internal`, as in vmagent. */
function databaseNames(cfg: Config): readonly string[] {
  const names = cfg.push.influx.databaseNames;
  return names.length === 0 || (names.length === 1 && names[0] === "") ? ["_internal"] : names;
}

export const routes: readonly Route[] = [
  {
    kind: "push",
    // vmagent v1.79.5 serves /write and /api/v2/write; the /influx/ aliases are from later releases.
    paths: ["/write", "/api/v2/write", "/influx/write", "/influx/api/v2/write"],
    type: BodyType.Influx,
    protocol: "influx",
    successStatus: 204,
    maxBodySize: (cfg: Config) => cfg.push.influx.maxRequestSize,
    sizeFlag: "-influx.maxRequestSize",
  },
  {
    kind: "static",
    // Any method, any `q`: vmagent always lists -influx.databaseNames.
    paths: ["/query", "/influx/query"],
    respond: (_req: Request, cfg: Config) =>
      new Response(databaseNamesBody(databaseNames(cfg)), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      }),
  },
];

export const listeners: readonly StreamListener[] = [
  {
    flag: "influxListenAddr",
    addr: (cfg: Config) => cfg.push.influx.listenAddr,
    type: BodyType.Influx,
    protocol: "influx",
    tcp: true,
    udp: true,
    maxLineSize: (cfg: Config) => cfg.push.influx.maxLineSize,
  },
];
