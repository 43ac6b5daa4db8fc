import { describe, expect, test } from "bun:test";
import { A, B, C, cfg, type Env, fail } from "./_flags_testing.ts";

describe("envflag", () => {
  test("env is read only with -envflag.enable on the command line", () => {
    const f = (argv: string[], env: Env, want: string) => expect(cfg(argv, env).httpListenAddr).toBe(want);
    const env = { httpListenAddr: ":7000" };
    f([], env, ":8429");
    f(["-envflag.enable"], env, ":7000");
    f(["-envflag.enable=false"], env, ":8429");
    f([], { ...env, envflag_enable: "true" }, ":8429");
    f(["-envflag.enable", "-httpListenAddr=:1"], env, ":1"); // CLI wins
    f(["-envflag.enable", "-envflag.prefix=VM_"], { ...env, VM_httpListenAddr: ":7001" }, ":7001");
    f(["-envflag.enable", "-envflag.prefix=VM_"], env, ":8429"); // unprefixed names are ignored with a prefix
    f(["-envflag.enable"], { envflag_prefix: "VM_", VM_httpListenAddr: ":7001" }, ":8429"); // prefix only from CLI
    f(["-envflag.enable"], { httpListenAddr: undefined }, ":8429");
  });

  test("dotted names, bools, arrays, per-URL", () => {
    const env: Env = {
      remoteWrite_url: `${A},${B}`,
      remoteWrite_sendTimeout: "5s",
      remoteWrite_showURL: "true",
      remoteWrite_label: "a=1,b=2",
      insert_maxQueueDuration: "10s",
    };
    const c = cfg(["-envflag.enable"], env);
    expect(c.remoteWrite.urls.map((u) => [u.url, u.sendTimeoutMs])).toEqual([[A, 5000], [B, 60_000]]);
    expect(c.remoteWrite.showURL).toBe(true);
    expect(c.remoteWrite.labels).toEqual([["a", "1"], ["b", "2"]]);
    expect(c.insertMaxQueueDurationMs).toBe(10_000);
    // A CLI array replaces the env array as a whole.
    const d = cfg(["-envflag.enable", `-remoteWrite.url=${C}`], { ...env, remoteWrite_sendTimeout: undefined });
    expect(d.remoteWrite.urls.map((u) => u.url)).toEqual([C]);
    expect(d.flagsSet["remoteWrite.label"]).toBe("a=1,b=2");
  });

  test("bad env values name the variable", () => {
    fail(
      ["-envflag.enable"],
      `Invalid value "x" for flag -remoteWrite.maxRowsPerBlock set via environment variable remoteWrite_maxRowsPerBlock: not an integer`,
      { remoteWrite_maxRowsPerBlock: "x" },
    );
    fail(["-envflag.enable", "-envflag.prefix=P_"], /set via environment variable P_loggerLevel: must be one of/, {
      P_loggerLevel: "debug",
    });
  });
});
