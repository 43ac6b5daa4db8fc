/**
 * Every supported `*_sd_configs` kind, by YAML key. Adding a discovery
 * mechanism means adding its DiscoveryKind here.
 *
 * @module
 */

import type { DiscoveryKind } from "./types.ts";

const ALL: readonly DiscoveryKind[] = [];

export const DISCOVERY_KINDS: ReadonlyMap<string, DiscoveryKind> = new Map(ALL.map((k) => [k.key, k]));
