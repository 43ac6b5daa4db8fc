import { describe, expect, test } from "bun:test";
import { LineCounter, parseDocument } from "yaml";
import { bool, fail, fields, isLocated, str, strList, type YamlCtx, yamlValueOf } from "./yaml.ts";

describe("yamlValueOf()", () => {
  test("reads plain data with the document readers, without lines", () => {
    const { ctx, node } = yamlValueOf({ a: "010", b: true, c: ["x", 1] });
    const f = fields(ctx, node, "p", new Set(["a", "b", "c"]));
    expect(str(ctx, f.get("a") ?? null, "p.a")).toBe("010");
    expect(bool(ctx, f.get("b") ?? null, "p.b")).toBe(true);
    expect(strList(ctx, f.get("c") ?? null, "p.c")).toEqual(["x", "1"]);
    expect(() => bool(ctx, f.get("a") ?? null, "p.a")).toThrow(new TypeError(`p.a: got string "010"; want a boolean`));
    expect(() => fields(ctx, node, "p", new Set(["a"]))).toThrow(/^p\.b: unknown field; pass/);
  });

  test("non-strict values skip unknown fields with a warning", () => {
    const warnings: string[] = [];
    const { ctx, node } = yamlValueOf({ a: "1", z: "2" }, { strict: false, warn: (m) => warnings.push(m) });
    expect([...fields(ctx, node, "p", new Set(["a"])).keys()]).toEqual(["a"]);
    expect(warnings).toEqual(["Ignoring unknown field p.z"]);
  });
});

test("fail() marks its errors as located", () => {
  const lines = new LineCounter();
  const doc = parseDocument("a: 1\nb: 2\n", { lineCounter: lines });
  const ctx: YamlCtx = { doc, lines, strict: true, warn: () => {} };
  const b = fields(ctx, doc.contents, "", new Set(["a", "b"])).get("b") ?? null;
  let err: unknown;
  try {
    fail(ctx, b, "b", "bad");
  } catch (e) {
    err = e;
  }
  expect((err as Error).message).toBe("b: bad at line 2");
  expect(isLocated(err)).toBe(true);
  expect(isLocated(new TypeError("b: bad"))).toBe(false);
});
