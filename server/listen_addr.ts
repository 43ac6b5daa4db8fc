/**
 * Parses listen addresses the way Go's net package reads them.
 *
 * @module
 */

/** Splits `host:port` (`:8429` = all interfaces, `[::1]:80` = IPv6). */
export function parseListenAddr(addr: string, flag = "-httpListenAddr"): { hostname: string; port: number } {
  const i = addr.lastIndexOf(":");
  if (i < 0) throw new RangeError(`Cannot parse ${flag}=${JSON.stringify(addr)}: missing port`);
  let host = addr.slice(0, i);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const port = Number(addr.slice(i + 1));
  if (addr.slice(i + 1) === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot parse ${flag}=${JSON.stringify(addr)}: invalid port`);
  }
  return { hostname: host === "" ? "0.0.0.0" : host, port };
}
