/**
 * The mutable label set that relabeling works on.
 *
 * Representation: two parallel arrays, `names[i]` / `values[i]` for `i < length`. Slots at and
 * beyond `length` are spare capacity and may hold stale strings; readers must stop at `length`.
 * Order is insertion order (not sorted) and duplicates are not prevented by `push`, matching
 * VictoriaMetrics' `[]prompbmarshal.Label`. The arrays only grow, so a `Labels` reused with
 * {@linkcode Labels.reset} for every series costs no allocation once warm: no object per label,
 * no Map per series.
 *
 * A `Labels` is owned by one caller at a time; relabeling mutates it in place.
 */
export class Labels {
  /** Label names; valid for indices below {@linkcode length}. */
  names: string[];
  /** Label values, parallel to {@linkcode names}. */
  values: string[];
  /** Number of labels in use. */
  length = 0;

  constructor(capacity = 16) {
    this.names = new Array<string>(capacity).fill("");
    this.values = new Array<string>(capacity).fill("");
  }

  /** Builds a label set from `[name, value]` pairs (for tests and slow paths). */
  static fromPairs(pairs: Iterable<readonly [string, string]>): Labels {
    const l = new Labels();
    for (const [n, v] of pairs) l.push(n, v);
    return l;
  }

  /** Builds a label set from an object such as `{__name__: "up", job: "x"}`. */
  static fromObject(obj: Readonly<Record<string, string>>): Labels {
    return Labels.fromPairs(Object.entries(obj));
  }

  /** Empties the set, keeping capacity. */
  reset(): void {
    this.length = 0;
  }

  /** Appends a label without checking for an existing one of the same name. */
  push(name: string, value: string): void {
    const i = this.length++;
    this.names[i] = name;
    this.values[i] = value;
  }

  /** Index of the first label called `name`, or -1. */
  indexOf(name: string): number {
    const names = this.names;
    for (let i = 0, n = this.length; i < n; i++) if (names[i] === name) return i;
    return -1;
  }

  /** Value of the first label called `name`; "" when absent (relabeling treats both alike). */
  get(name: string): string {
    const names = this.names;
    for (let i = 0, n = this.length; i < n; i++) if (names[i] === name) return this.values[i]!;
    return "";
  }

  /** Sets the first label called `name`, appending it when absent. */
  set(name: string, value: string): void {
    const names = this.names;
    for (let i = 0, n = this.length; i < n; i++) {
      if (names[i] === name) {
        this.values[i] = value;
        return;
      }
    }
    this.push(name, value);
  }

  /** Copies `src` into this set (replacing its contents). */
  copyFrom(src: Labels): void {
    this.length = 0;
    for (let i = 0; i < src.length; i++) this.push(src.names[i]!, src.values[i]!);
  }

  /** A fresh `[name, value]` list in current order. */
  toPairs(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 0; i < this.length; i++) out.push([this.names[i]!, this.values[i]!]);
    return out;
  }

  /** A fresh object of the labels (a later duplicate name wins). */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this.length; i++) out[this.names[i]!] = this.values[i]!;
    return out;
  }

  /** Prometheus text form with labels sorted by name, e.g. `up{job="x"}`, for logs and tests. */
  toString(): string {
    const pairs = this.toPairs().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let name = "";
    const parts: string[] = [];
    for (const [n, v] of pairs) {
      if (n === "__name__" && name === "") name = v;
      else parts.push(`${n}=${JSON.stringify(v)}`);
    }
    return name !== "" && parts.length === 0 ? name : `${name}{${parts.join(",")}}`;
  }
}
