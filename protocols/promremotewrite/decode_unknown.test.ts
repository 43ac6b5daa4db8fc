/**
 * WriteRequests with fields Drover does not forward (metadata, unknown
 * fields and groups at every level, exemplars): they are accepted as vmagent
 * accepts them, never forwarded verbatim, and re-encoded into strictly
 * canonical bytes with the same labels and samples.
 */
import { describe, expect, test } from "bun:test";
import { decodeWriteRequest, relayWriteRequest, validateWriteRequest } from "./decode.ts";
import { BlockBuilder } from "./encode.ts";
import { assertCanonical, field, group, uncleanWriteRequest } from "./_wire_testing.ts";

describe("WriteRequest with fields Drover does not forward", () => {
  const { body, series2, metadata } = uncleanWriteRequest();

  test("is valid, and not clean", () => {
    expect(validateWriteRequest(body)).toEqual({ series: 2, samples: 3, clean: false });
    const cleanOnly = new Uint8Array(series2);
    expect(validateWriteRequest(cleanOnly)).toEqual({ series: 1, samples: 1, clean: true });
    for (const extra of [group(8), [...field(15, 0), 42], metadata]) {
      expect(validateWriteRequest(new Uint8Array([...series2, ...extra])).clean).toBe(false);
    }
  });

  test("is re-encoded canonically, keeping labels, values (stale marker bits too) and timestamps", () => {
    const out = new BlockBuilder(64);
    const r = relayWriteRequest(body, out, { setLabels: [], dropEmptyAndInternal: false });
    expect([r.series, r.samples]).toEqual([2, 3]);
    const bytes = out.finish();
    assertCanonical(bytes);
    expect(decodeWriteRequest(bytes)).toEqual([
      {
        labels: [["__name__", "m1"], ["job", "j"]],
        samples: [
          { value: 1.5, timestamp: 1_700_000_000_000, stale: false },
          { value: Number.NaN, timestamp: 1_700_000_001_000, stale: true },
        ],
      },
      { labels: [["__name__", "m2"]], samples: [{ value: -2, timestamp: 1_700_000_000_000, stale: false }] },
    ]);
    // The clean series is still copied byte for byte.
    expect(bytes.slice(bytes.length - series2.length)).toEqual(new Uint8Array(series2));
  });

  test("label rewriting re-encodes samples of an unclean series canonically too", () => {
    const out = new BlockBuilder(64);
    relayWriteRequest(body, out, { setLabels: [["env", "x"]], dropEmptyAndInternal: true });
    const bytes = out.finish();
    assertCanonical(bytes);
    expect(decodeWriteRequest(bytes).map((s) => [s.labels, s.samples.length])).toEqual([
      [[["__name__", "m1"], ["job", "j"], ["env", "x"]], 2],
      [[["__name__", "m2"], ["env", "x"]], 1],
    ]);
  });

  test("a stray end-group tag or an unterminated group is refused", () => {
    const stray = new Uint8Array([...series2, ...field(8, 4)]);
    expect(() => validateWriteRequest(stray)).toThrow(/unexpected end of group/);
    const open = new Uint8Array([...series2, ...field(8, 3), ...field(1, 0), 1]);
    expect(() => validateWriteRequest(open)).toThrow(/unterminated group/);
  });
});
