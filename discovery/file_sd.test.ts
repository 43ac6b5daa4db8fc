import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sdEntry, sorted, testContext, until, Updates } from "./_test_util.ts";
import { parseRawYaml } from "./_yaml_raw.ts";
import { decodeStaticConfigs, expandEnv, fileSdKind, glob } from "./file_sd.ts";

function tmp(): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), "drover-filesd-"));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes via a temp file + rename, as config-management tools do. */
function put(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

describe("fileSdKind.parse", () => {
  test("valid entries", () => {
    const f = (raw: unknown, strict: boolean, want: unknown) => {
      expect(fileSdKind.parse(sdEntry(raw, "scrape_configs[0].file_sd_configs[0]", strict))).toEqual(want as never);
    };
    f({ files: ["a.json", "dir/*.yml"] }, true, { files: ["a.json", "dir/*.yml"] });
    f({ files: null }, true, { files: [] });
    f({}, true, { files: [] });
    f(null, true, { files: [] });
    // vmagent has no refresh_interval field: ignored unless strict.
    f({ files: ["a.yml"], refresh_interval: "1m" }, false, { files: ["a.yml"] });
    f({ files: [123] }, true, { files: ["123"] });
  });

  test("errors start with the path", () => {
    const f = (raw: unknown, strict: boolean, want: string) => {
      expect(() => fileSdKind.parse(sdEntry(raw, "scrape_configs[2].file_sd_configs[1]", strict))).toThrow(want);
      try {
        fileSdKind.parse(sdEntry(raw, "scrape_configs[2].file_sd_configs[1]", strict));
      } catch (e) {
        expect((e as Error).message.startsWith("scrape_configs[2].file_sd_configs[1]")).toBe(true);
        expect(e).toBeInstanceOf(TypeError);
      }
    };
    f(
      { files: ["a.yml"], refresh_interval: "1m" },
      true,
      'scrape_configs[2].file_sd_configs[1]: unknown field "refresh_interval"',
    );
    f({ files: "a.yml" }, true, "scrape_configs[2].file_sd_configs[1].files: got string");
    f({ files: [{ a: 1 }] }, true, "scrape_configs[2].file_sd_configs[1].files[0]: got a map");
    f(["a"], true, "scrape_configs[2].file_sd_configs[1]: got a list; want a map");
  });
});

describe("file contents", () => {
  test("decodeStaticConfigs keeps scalars as written (yaml.v2 into string fields)", () => {
    const f = (text: string, want: unknown) => {
      expect(decodeStaticConfigs(parseRawYaml(text))).toEqual(want as never);
    };
    f("", []);
    f("[]", []);
    f("- targets: [a:1, 0x10]\n  labels: {n: 1.50, b: yes, z: null, q: '7'}\n", [
      { targets: ["a:1", "0x10"], labels: { n: "1.50", b: "yes", z: "", q: "7" } },
    ]);
    f('[\n\t{\n\t\t"targets": ["h:1", "h:2"],\n\t\t"labels": {"env": "prod"}\n\t}\n]\n', [
      { targets: ["h:1", "h:2"], labels: { env: "prod" } },
    ]);
    f("- labels: &l {a: b}\n  targets: [x]\n- targets: [y]\n  labels:\n    <<: *l\n    c: d\n", [
      { targets: ["x"], labels: { a: "b" } },
      { targets: ["y"], labels: { a: "b", c: "d" } },
    ]);
    f("- null\n", [{ targets: [], labels: {} }]);
  });

  test("decodeStaticConfigs rejects what UnmarshalStrict rejects", () => {
    const f = (text: string, want: string) => {
      expect(() => decodeStaticConfigs(parseRawYaml(text))).toThrow(want);
    };
    f("targets: [a]\n", "want a list of target groups");
    f("- targets: [a]\n  lables: {}\n", 'unknown field "lables"');
    f("- targets: a\n", "[0].targets: got string");
    f("- labels: [a]\n  targets: []\n", "[0].labels: want a map");
    f("- labels: {a: [b]}\n", "[0].labels.a: want a string");
    f("- targets: [a\n", "");
    f("- targets: [a]\n  targets: [b]\n", "unique");
  });

  test("expandEnv: %{VAR} from the environment, unknown names kept", () => {
    process.env.DROVER_FILESD_TEST = "from-env";
    const f = (s: string, want: string) => expect(expandEnv(s)).toBe(want);
    f("a %{DROVER_FILESD_TEST} b", "a from-env b");
    f("%{DROVER_FILESD_NOPE}", "%{DROVER_FILESD_NOPE}");
    f("no template", "no template");
  });

  test("glob follows Go filepath.Glob", async () => {
    using d = tmp();
    for (const n of ["a.json", "b.json", ".hidden.json", "c.yml", "ab.json"]) writeFileSync(join(d.path, n), "[]");
    mkdirSync(join(d.path, "sub1"));
    mkdirSync(join(d.path, "sub2"));
    writeFileSync(join(d.path, "sub1", "x.yml"), "[]");
    writeFileSync(join(d.path, "sub2", "y.yml"), "[]");
    const f = async (pattern: string, want: string[]) => {
      expect(await glob(join(d.path, pattern))).toEqual(want.map((n) => join(d.path, n)));
    };
    await f("*.json", [".hidden.json", "a.json", "ab.json", "b.json"]);
    await f("?.json", ["a.json", "b.json"]);
    await f("[ab].json", ["a.json", "b.json"]);
    await f("[^a]*.yml", ["c.yml"]);
    await f("[a-b]b.json", ["ab.json"]);
    await f("sub*/*.yml", ["sub1/x.yml", "sub2/y.yml"]);
    await f("nope/*.yml", []);
    await expect(glob(join(d.path, "[.json"))).rejects.toThrow("syntax error in pattern");
  });
});

describe("FileSdDiscoverer", () => {
  test("YAML and JSON files, globs, labels and __meta_filepath", async () => {
    using d = tmp();
    mkdirSync(join(d.path, "targets"));
    put(join(d.path, "static.yml"), "- targets: ['s1:9100', '']\n  labels: {job_label: s}\n");
    put(
      join(d.path, "targets", "a.json"),
      '[{"targets": ["a1:80", "a2:80"], "labels": {"env": "prod", "__address__": "over:1"}}]',
    );
    put(join(d.path, "targets", "b.json"), '[{"targets": ["b1:80"]}]');
    const outside = tmp();
    put(join(outside.path, "o.yaml"), "- targets: [o:1]\n");
    const ctx = testContext(d.path, 3_600_000);
    const disc = fileSdKind.create(
      fileSdKind.parse(sdEntry({ files: ["static.yml", "targets/*.json", join(outside.path, "o.yaml")] }, "x", true)),
      ctx,
    );
    const u = new Updates();
    disc.start(u.onUpdate);
    const got = await u.waitFor("first round", () => true);
    disc.stop();
    outside[Symbol.dispose]();
    expect(sorted(got)).toEqual(
      sorted([
        { __address__: "s1:9100", job_label: "s", __meta_filepath: "static.yml" },
        // Group labels come after __address__ in vmagent's merge, so they may override it.
        { __address__: "over:1", env: "prod", __meta_filepath: join("targets", "a.json") },
        { __address__: "over:1", env: "prod", __meta_filepath: join("targets", "a.json") },
        { __address__: "b1:80", __meta_filepath: join("targets", "b.json") },
        { __address__: "o:1", __meta_filepath: join(outside.path, "o.yaml") },
      ]),
    );
    expect(ctx.logs.some((l) => l.includes("cannot be empty"))).toBe(true);
    expect(u.all.length).toBe(1);
  });

  test("watch: create, modify, bad file keeps previous, delete", async () => {
    using d = tmp();
    put(join(d.path, "one.yml"), "- targets: [h1:1]\n");
    // A check interval of one hour: only the watcher can notice changes in time.
    const ctx = testContext(d.path, 3_600_000);
    const disc = fileSdKind.create({ files: ["*.yml", "fixed.json"] }, ctx);
    const u = new Updates();
    disc.start(u.onUpdate);
    try {
      await u.waitFor("initial", (t) => t.length === 1);
      expect(ctx.logs.some((l) => l.includes("skipping loading `static_configs`") && l.includes("fixed.json"))).toBe(
        true,
      );

      put(join(d.path, "two.yml"), "- targets: [h2:1]\n  labels: {n: '2'}\n");
      await u.waitFor("new file", (t) => t.length === 2);

      put(join(d.path, "one.yml"), "- targets: [h1:1, h1:2]\n");
      await u.waitFor("modified file", (t) => t.length === 3);

      put(join(d.path, "fixed.json"), '[{"targets": ["f:1"]}]');
      await u.waitFor("literal file appears", (t) => t.some((x) => x.__address__ === "f:1"));

      const updatesBefore = u.all.length;
      put(join(d.path, "two.yml"), "- targets: [h2:1\n");
      await until(
        "error logged",
        () =>
          ctx.logs.some((l) => l.includes("keeping the previously loaded `static_configs`") && l.includes("two.yml")),
      );
      expect(u.all.length).toBe(updatesBefore);
      expect(sorted(u.last).map((t) => t.__address__)).toEqual(["f:1", "h1:1", "h1:2", "h2:1"]);

      // A literal path that disappears keeps its targets (vmagent v1.79.5); a glob match that disappears drops them.
      rmSync(join(d.path, "fixed.json"));
      rmSync(join(d.path, "two.yml"));
      await u.waitFor("deleted glob match", (t) => !t.some((x) => x.__address__ === "h2:1"));
      expect(sorted(u.last).map((t) => t.__address__)).toEqual(["f:1", "h1:1", "h1:2"]);
    } finally {
      disc.stop();
    }
  });

  test("periodic re-check finds files in a directory created later", async () => {
    using d = tmp();
    const ctx = testContext(d.path, 100);
    const disc = fileSdKind.create({ files: ["later/*.yaml"] }, ctx);
    const u = new Updates();
    disc.start(u.onUpdate);
    try {
      await u.waitFor("empty first round", (t) => t.length === 0);
      mkdirSync(join(d.path, "later"));
      put(join(d.path, "later", "t.yaml"), "- targets: [late:1]\n");
      const got = await u.waitFor("late file", (t) => t.length === 1);
      expect(got).toEqual([{ __address__: "late:1", __meta_filepath: join("later", "t.yaml") }]);
    } finally {
      disc.stop();
      disc.stop();
    }
  });

  test("env templates inside target files", async () => {
    using d = tmp();
    process.env.DROVER_FILESD_HOST = "envhost";
    put(join(d.path, "t.yml"), "- targets: ['%{DROVER_FILESD_HOST}:9100']\n");
    const disc = fileSdKind.create({ files: ["t.yml"] }, testContext(d.path, 3_600_000));
    const u = new Updates();
    disc.start(u.onUpdate);
    const got = await u.waitFor("round", () => true);
    disc.stop();
    expect(got).toEqual([{ __address__: "envhost:9100", __meta_filepath: "t.yml" }]);
  });
});
