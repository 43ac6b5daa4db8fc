/**
 * Templates of `action: graphite` (VictoriaMetrics' `lib/promrelabel/graphite.go`): `match`
 * is a Graphite name pattern where each `*` matches a run of characters without `.`, and each
 * `labels` value is a template where `$N` / `${N}` is the N-th `*` capture and `$0` the whole name.
 */

/** A compiled `match` pattern. Immutable. */
export class GraphiteMatchTemplate {
  readonly source: string;
  /** Literal parts and "*" wildcards, empty parts removed. */
  readonly #parts: readonly string[];

  constructor(s: string) {
    this.source = s;
    const parts: string[] = [];
    for (const [i, p] of s.split("*").entries()) {
      if (i > 0) parts.push("*");
      if (p !== "") parts.push(p);
    }
    this.#parts = parts;
  }

  /**
   * Matches `s`, writing the whole name to `out[0]` and the `*` captures after it.
   * Returns the number of entries written, or -1 on mismatch (`out` is then garbage).
   * `out` is a caller-owned scratch array, reused across calls.
   */
  match(s: string, out: string[]): number {
    const parts = this.#parts;
    let n = 0;
    out[n++] = s;
    const last = parts[parts.length - 1];
    if (last !== undefined && last !== "*" && !s.endsWith(last)) return -1;
    let pos = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p !== "*") {
        if (!s.startsWith(p, pos)) return -1;
        pos += p.length;
        continue;
      }
      if (i + 1 >= parts.length) {
        // The trailing "*" takes the rest, which must not contain a dot.
        if (s.indexOf(".", pos) >= 0) return -1;
        out[n++] = s.slice(pos);
        return n;
      }
      const next = parts[++i]!;
      const at = s.indexOf(next, pos);
      if (at < 0) return -1;
      const dot = s.indexOf(".", pos);
      if (dot >= 0 && dot < at) return -1;
      out[n++] = s.slice(pos, at);
      pos = at + next.length;
    }
    return pos === s.length ? n : -1;
  }
}

/** A compiled `labels` value template. Immutable. */
export class GraphiteReplaceTemplate {
  readonly source: string;
  /** Text as written, and the capture index it refers to (-1 for literal text). */
  readonly #parts: readonly (readonly [string, number])[];

  constructor(s: string) {
    this.source = s;
    const parts: [string, number][] = [];
    const push = (text: string, idx = -1): void => {
      if (text !== "") parts.push([text, idx]);
    };
    let rest = s;
    for (;;) {
      const d = rest.indexOf("$");
      if (d < 0) {
        push(rest);
        break;
      }
      push(rest.slice(0, d));
      rest = rest.slice(d + 1);
      if (rest[0] === "{") {
        const end = rest.indexOf("}");
        if (end < 0) {
          push("$" + rest);
          break;
        }
        const idx = rest.slice(1, end);
        rest = rest.slice(end + 1);
        push("${" + idx + "}", /^[+-]?\d+$/.test(idx) ? Number(idx) : -1);
      } else {
        const m = /^\d*/.exec(rest)![0];
        rest = rest.slice(m.length);
        push("$" + m, m === "" ? -1 : Number(m));
      }
    }
    this.#parts = parts;
  }

  /** Expands with the first `n` entries of `matches` (from {@linkcode GraphiteMatchTemplate.match}). */
  expand(matches: readonly string[], n: number): string {
    let out = "";
    for (const [text, idx] of this.#parts) out += idx >= 0 && idx < n ? matches[idx]! : text;
    return out;
  }
}
