import { expect, test } from "bun:test";
import { parseListenAddr } from "./listen_addr.ts";

test("parseListenAddr() reads Go-style addresses", () => {
  const f = (addr: string, want: { hostname: string; port: number } | "error") => {
    if (want === "error") expect(() => parseListenAddr(addr, "-x")).toThrow(/-x/);
    else expect(parseListenAddr(addr)).toEqual(want);
  };
  f(":8429", { hostname: "0.0.0.0", port: 8429 });
  f("127.0.0.1:0", { hostname: "127.0.0.1", port: 0 });
  f("[::1]:2003", { hostname: "::1", port: 2003 });
  f("localhost:1", { hostname: "localhost", port: 1 });
  f("8429", "error");
  f("host:", "error");
  f("host:70000", "error");
  f("host:abc", "error");
});
