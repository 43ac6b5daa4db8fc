import { describe, expect, test } from "bun:test";
import { FLAGS } from "./_flag_table.ts";
import { A, B, cfg, CPUS, type Env, fail } from "./_flags_testing.ts";
import { flagsPage, parseFlags } from "./flags.ts";
import { VERSION } from "./version.ts";

describe("help and version", () => {
  test("help", () => {
    const f = (argv: string[]) => {
      const r = parseFlags(argv, { env: {}, cpus: CPUS });
      expect(r.kind).toBe("help");
      return r.kind === "help" ? r.text : "";
    };
    for (
      const argv of [["-h"], ["-help"], ["--help"], ["--h"], ["-dryRun", "-help"], ["-help", "-foo"], ["-help=false"]]
    ) f(argv);
    const text = f(["-help"]);
    // Collapse wrapped lines so each description reads as one string.
    const flat = text.replace(/\s+/g, " ");
    for (const spec of FLAGS) {
      expect(text).toContain(`-${spec.name} `);
      const def = typeof spec.def === "string" ? spec.def : spec.def(CPUS);
      const shown = spec.kind === "string" || spec.kind === "enum" ? JSON.stringify(def) : def;
      expect(flat).toContain(`(default ${shown})`);
      expect(flat).toContain(spec.help.replace(/\s+/g, " ").slice(0, 40));
    }
    expect(flat).toContain(`-maxConcurrentInserts int`);
    expect(flat).toContain(`(default ${2 * CPUS})`);
    expect(flat).toContain(`-remoteWrite.url array`);
    expect(flat).toContain(`-maxInsertRequestSize size`);
    expect(flat).toContain(`(default 32MiB)`);
  });

  test("version", () => {
    const f = (argv: string[], env: Env = {}) => {
      expect(parseFlags(argv, { env, cpus: CPUS })).toEqual({
        kind: "version",
        text: `drover-v${VERSION} (vmagent-compatible)`,
      });
    };
    f(["-version"]);
    f(["--version"]);
    f(["-version=true"]);
    f(["-version", "-remoteWrite.url=ftp://not-validated-yet"]);
    expect(parseFlags(["-envflag.enable"], { env: { version: "true" }, cpus: CPUS }).kind).toBe("config"); // CLI-only
    expect(VERSION).toBe("0.1.0");
    fail(["-version", "-remoteWrite.maxRowsPerBlock=x"], /not an integer/); // parse errors come first, as in Go
  });
});

describe("flags page", () => {
  test("flagsSet lists explicitly set flags with secrets masked", () => {
    const c = cfg(
      [
        `-remoteWrite.url=${A}`,
        `-remoteWrite.url=${B}`,
        "-remoteWrite.basicAuth.password=hunter2",
        "-remoteWrite.bearerToken=tok",
        "-remoteWrite.bearerTokenFile=/etc/tok",
        "-remoteWrite.maxRowsPerBlock",
        "500",
        "-dryRun",
        "-envflag.enable",
      ],
      { remoteWrite_tmpDataPath: "/data" },
    );
    expect(c.flagsSet).toEqual({
      "remoteWrite.url": "secret",
      "remoteWrite.basicAuth.password": "secret",
      "remoteWrite.bearerToken": "secret",
      "remoteWrite.bearerTokenFile": "secret",
      "remoteWrite.maxRowsPerBlock": "500",
      "remoteWrite.tmpDataPath": "/data",
      dryRun: "true",
      "envflag.enable": "true",
    });
  });

  test("-remoteWrite.showURL reveals URLs", () => {
    const c = cfg([`-remoteWrite.url=${A},${B}`, "-remoteWrite.showURL"]);
    expect(c.flagsSet["remoteWrite.url"]).toBe(`${A},${B}`);
  });

  test("flagsPage renders every flag sorted", () => {
    const c = cfg([
      "-remoteWrite.basicAuth.password=hunter2",
      "-httpListenAddr=:1",
      `-remoteWrite.url=${A}`,
      "-remoteWrite.sendTimeout=5s",
    ]);
    const page = flagsPage(c);
    const lines = page.trimEnd().split("\n");
    const names = lines.map((l) => l.slice(0, l.indexOf("="))); // sorted by name, like Go's flag.VisitAll
    expect(names).toEqual([...names].sort());
    expect(lines.length).toBe(FLAGS.length - 1); // all but -help
    expect(lines).toContain(`-httpListenAddr=":1"`);
    expect(lines).toContain(`-remoteWrite.basicAuth.password="secret"`);
    expect(lines).toContain(`-remoteWrite.url="secret"`);
    expect(lines).toContain(`-remoteWrite.sendTimeout="5s"`);
    expect(lines).toContain(`-maxConcurrentInserts="${2 * CPUS}"`);
    expect(lines).toContain(`-remoteWrite.tmpDataPath="vmagent-remotewrite-data"`);
    expect(lines).toContain(`-version="false"`);
    expect(page).not.toContain("hunter2");
    expect(page.endsWith("\n")).toBe(true);
  });
});
