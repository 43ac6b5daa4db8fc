/**
 * `dns_sd_configs`: targets from DNS records, as vmagent does it
 * (lib/promscrape/discovery/dns):
 *
 * - `type` SRV (default), A, AAAA or MX (case-insensitive). Anything else,
 *   empty `names`, or A/AAAA without `port` fail the round (logged, previous
 *   targets kept) instead of the config load, exactly like vmagent.
 * - SRV: `<target>:<record port>`; A/AAAA: `<ip>:<port>`; both labelled with
 *   `__meta_dns_name`, `__meta_dns_srv_record_target` (the IP for A/AAAA) and
 *   `__meta_dns_srv_record_port`. MX: `<exchange>:<port, default 25>` with
 *   `__meta_dns_name` and `__meta_dns_mx_record_target`.
 * - A name whose lookup fails is skipped with an error log; the others stay.
 * - A/AAAA consult the hosts file first, as Go's resolver does.
 * - The whole round has vmagent's 10s deadline.
 *
 * Tests point the resolver at a local server through
 * {@linkcode DnsDiscoveryContext.dnsServers}.
 *
 * @module
 */

import { promises as dnsPromises } from "node:dns";
import { readFile } from "node:fs/promises";
import { asMap, optInt, optString, stringList } from "./_parse_util.ts";
import { PollingDiscoverer } from "./_watch.ts";
import type { Discoverer, DiscoveryContext, DiscoveryKind, SDEntry, TargetLabels } from "./types.ts";

/** One validated `dns_sd_configs` entry. `type` is as written ("" when absent). */
export interface DnsSdConfig {
  readonly names: readonly string[];
  readonly type: string;
  readonly port?: number;
}

/**
 * Optional extras for DNS discovery on top of {@linkcode DiscoveryContext}.
 * The config loader need not set them.
 */
export interface DnsDiscoveryContext extends DiscoveryContext {
  /** Name servers ("ip" or "ip:port") instead of the system's (resolv.conf). */
  readonly dnsServers?: readonly string[];
  /** Hosts file consulted first for A/AAAA; default "/etc/hosts". */
  readonly hostsPath?: string;
}

const FIELDS = new Set(["names", "type", "port"]);

/** vmagent's per-round deadline for all lookups. */
const ROUND_TIMEOUT_MS = 10_000;

/**
 * The `dns_sd_configs` kind; `create()` returns a {@linkcode DnsSdDiscoverer} and
 * accepts a {@linkcode DnsDiscoveryContext}.
 */
export const dnsSdKind: DiscoveryKind<DnsSdConfig> = {
  key: "dns_sd_configs",
  checkIntervalFlag: "promscrape.dnsSDCheckInterval",
  defaultCheckIntervalMs: 30_000,
  parse({ raw, path, strict }: SDEntry): DnsSdConfig {
    const m = asMap(raw, path, FIELDS, strict);
    const port = optInt(m.port, `${path}.port`);
    return Object.freeze({
      names: Object.freeze(stringList(m.names, `${path}.names`)),
      type: optString(m.type, `${path}.type`) ?? "",
      ...(port !== undefined && { port }),
    });
  },
  create(cfg: DnsSdConfig, ctx: DiscoveryContext): Discoverer {
    return new DnsSdDiscoverer("dns_sd_configs", cfg, ctx);
  },
};

/** The running discoverer: one set of lookups per check interval. */
export class DnsSdDiscoverer extends PollingDiscoverer {
  readonly #cfg: DnsSdConfig;
  readonly #ctx: DnsDiscoveryContext;

  constructor(name: string, cfg: DnsSdConfig, ctx: DnsDiscoveryContext) {
    super(name, ctx);
    this.#cfg = cfg;
    this.#ctx = ctx;
  }

  protected async round(signal: AbortSignal): Promise<readonly TargetLabels[]> {
    const cfg = this.#cfg;
    if (cfg.names.length === 0) throw new TypeError("`names` cannot be empty in `dns_sd_config`");
    const typ = (cfg.type === "" ? "SRV" : cfg.type).toUpperCase();
    if (typ !== "SRV" && typ !== "MX" && typ !== "A" && typ !== "AAAA") {
      throw new TypeError(
        `unexpected \`type\` in \`dns_sd_config\`: ${JSON.stringify(typ)}; supported values: SRV, A, AAAA`,
      );
    }
    if ((typ === "A" || typ === "AAAA") && cfg.port === undefined) {
      throw new TypeError(`missing \`port\` in \`dns_sd_config\` for \`type: ${typ}\``);
    }
    const resolver = new dnsPromises.Resolver({ timeout: ROUND_TIMEOUT_MS, tries: 2 });
    if (this.#ctx.dnsServers !== undefined) resolver.setServers([...this.#ctx.dnsServers]);
    const cancel = (): void => resolver.cancel();
    signal.addEventListener("abort", cancel, { once: true });
    const timer = (this.#ctx.setTimeout ?? setTimeout)(cancel, ROUND_TIMEOUT_MS);
    try {
      const hosts = typ === "A" || typ === "AAAA" ? await readHosts(this.#ctx.hostsPath ?? "/etc/hosts") : null;
      const perName = await Promise.all(
        cfg.names.map(async (name): Promise<TargetLabels[]> => {
          try {
            return await this.#lookup(resolver, typ, name, hosts);
          } catch (e) {
            if (!signal.aborted) {
              this.#ctx.log.error(
                `${this.name}: ${lookupError(typ, name)}: ${e instanceof Error ? e.message : String(e)}`,
              );
            }
            return [];
          }
        }),
      );
      if (signal.aborted) throw new Error("stopped");
      return perName.flat();
    } finally {
      (this.#ctx.clearTimeout ?? clearTimeout)(timer);
      signal.removeEventListener("abort", cancel);
    }
  }

  async #lookup(
    resolver: InstanceType<typeof dnsPromises.Resolver>,
    typ: string,
    name: string,
    hosts: Map<string, string[]> | null,
  ): Promise<TargetLabels[]> {
    const out: TargetLabels[] = [];
    if (typ === "SRV") {
      for (const r of await resolver.resolveSrv(name)) out.push(addrLabels(name, trimDots(r.name), r.port));
    } else if (typ === "MX") {
      const port = this.#cfg.port ?? 25;
      for (const r of await resolver.resolveMx(name)) {
        const target = trimDots(r.exchange);
        out.push(
          Object.freeze({
            __address__: joinHostPort(target, port),
            __meta_dns_name: name,
            __meta_dns_mx_record_target: target,
          }),
        );
      }
    } else {
      const port = this.#cfg.port ?? 0;
      const want = typ === "A" ? 4 : 6;
      let ips = hosts?.get(trimDots(name).toLowerCase());
      if (ips === undefined) ips = want === 4 ? await resolver.resolve4(name) : await resolver.resolve6(name);
      for (const raw of ips) {
        const ip = canonicalIp(raw);
        if (ip !== null && ip.family === want) out.push(addrLabels(name, ip.text, port));
      }
    }
    return out;
  }
}

function lookupError(typ: string, name: string): string {
  if (typ === "SRV" || typ === "MX") {
    return `dns_sd_config: skipping ${typ} lookup for ${JSON.stringify(name)} because of error`;
  }
  return `error in ${typ} lookup for ${JSON.stringify(name)}`;
}

function addrLabels(name: string, target: string, port: number): TargetLabels {
  return Object.freeze({
    __address__: joinHostPort(target, port),
    __meta_dns_name: name,
    __meta_dns_srv_record_target: target,
    __meta_dns_srv_record_port: String(port),
  });
}

function trimDots(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x2e) end--;
  return s.slice(0, end);
}

/** discoveryutils.JoinHostPort: brackets around hosts with ':'. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Go's `net.IP.String()` of a parsed address: IPv4 dotted (IPv4-mapped IPv6
 * counts as IPv4), IPv6 lower-case with the longest run (≥2) of zero groups
 * as "::". Null when `s` is not an IP address.
 */
export function canonicalIp(s: string): { family: 4 | 6; text: string } | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    return s.split(".").every((p) => Number(p) <= 255 && !(p.length > 1 && p.startsWith("0")))
      ? { family: 4, text: s }
      : null;
  }
  if (!s.includes(":") || s.includes("%")) return null;
  let str = s;
  const groups: number[] = [];
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(str);
  if (v4?.[1] !== undefined) {
    const parts = v4[1].split(".").map(Number);
    if (parts.some((p) => p > 255)) return null;
    const [a = 0, b = 0, c = 0, d = 0] = parts;
    str = `${str.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = str.split("::");
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === "") return [];
    const out: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? "");
  const tail = halves.length === 2 ? parse(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return null;
    groups.push(...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    if (head.length !== 8) return null;
    groups.push(...head);
  }
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const a = groups[6] ?? 0;
    const b = groups[7] ?? 0;
    return { family: 4, text: `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}` };
  }
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  const text = bestAt < 0
    ? hex.join(":")
    : `${hex.slice(0, bestAt).join(":")}::${hex.slice(bestAt + bestLen).join(":")}`;
  return { family: 6, text };
}

/** Hosts file: lower-case name → addresses in file order. A missing file is empty. */
async function readHosts(path: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    const fields = (line.split("#")[0] ?? "").trim().split(/\s+/);
    const ip = fields[0];
    if (ip === undefined || ip === "" || canonicalIp(ip) === null) continue;
    for (const n of fields.slice(1)) {
      const key = trimDots(n).toLowerCase();
      const list = out.get(key);
      if (list === undefined) out.set(key, [ip]);
      else if (!list.includes(ip)) list.push(ip);
    }
  }
  return out;
}
