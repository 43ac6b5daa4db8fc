/**
 * Scrape-target clustering exactly as vmagent does it
 * (`-promscrape.cluster.*`; reference: vmagent-features.md §c).
 *
 * A target's key is built from its post-relabel labels, hashed with XXH64
 * (seed 0), reduced `mod membersCount`, and the target is owned by
 * `replicationFactor` consecutive members starting there. Two key rules
 * exist because vmagent changed it:
 * - `v1.79.5`: labels sorted by name, global `external_labels` included;
 * - `current` (≥ v1.83): labels in post-relabel order, no external labels.
 *
 * @module
 */

/** Which vmagent's key rule to follow. */
export type ShardKeyRule = "v1.79.5" | "current";

/**
 * Parses `-promscrape.cluster.memberNum` as vmagent does: the decimal
 * number after the last `-` (so `vmagent-2` and `my-sts-12` work). Throws
 * RangeError when it does not parse or is outside [0, membersCount).
 */
export function parseMemberNum(value: string, membersCount: number): number {
  const tail = value.slice(value.lastIndexOf("-") + 1);
  if (!/^\+?\d+$/.test(tail)) {
    throw new RangeError(
      `Cannot parse -promscrape.cluster.memberNum=${
        JSON.stringify(value)
      }: expected a number or a name ending in -<number>, such as drover-2`,
    );
  }
  const n = Number(tail);
  if (membersCount > 0 && n >= membersCount) {
    throw new RangeError(
      `Invalid -promscrape.cluster.memberNum=${JSON.stringify(value)}: member ${n} is outside [0, ${
        membersCount - 1
      }] for -promscrape.cluster.membersCount=${membersCount}`,
    );
  }
  return n;
}

/**
 * The sharding key: `name=value,` for each label with a non-empty value.
 * `labels` are the target's labels after relabeling (with `__address__`,
 * `__scheme__`, … but without `__meta_*`), in post-relabel order. For the
 * v1.79.5 rule pass `externalLabels` too; they are merged in first (target
 * labels win on a clash) and everything is sorted by name.
 */
export function shardKey(
  labels: readonly (readonly [string, string])[],
  rule: ShardKeyRule,
  externalLabels: readonly (readonly [string, string])[] = [],
): string {
  let list: (readonly [string, string])[];
  if (rule === "v1.79.5") {
    const m = new Map<string, string>();
    for (const [k, v] of externalLabels) m.set(k, v);
    for (const [k, v] of labels) m.set(k, v);
    list = [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  } else {
    list = [...labels];
  }
  let key = "";
  for (const [k, v] of list) if (v !== "") key += `${k}=${v},`;
  return key;
}

/**
 * The members that scrape a target with this key: `replicationFactor`
 * consecutive members from `XXH64(key) mod membersCount`, wrapping.
 */
export function ownersOf(key: string, membersCount: number, replicationFactor: number): number[] {
  if (membersCount <= 1) return [0];
  const h = Bun.hash.xxHash64(key) as bigint;
  const idx = Number(h % BigInt(membersCount));
  const rf = Math.min(Math.max(replicationFactor, 1), membersCount);
  const owners: number[] = [];
  for (let i = 0; i < rf; i++) owners.push((idx + i) % membersCount);
  return owners;
}
