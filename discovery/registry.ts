/**
 * Every supported `*_sd_configs` kind, by YAML key. Adding a discovery
 * mechanism means adding its DiscoveryKind here.
 *
 * @module
 */

import { dnsSdKind } from "./dns_sd.ts";
import { fileSdKind } from "./file_sd.ts";
import { httpSdKind } from "./http_sd.ts";
import { consulSDKind } from "./consul/kind.ts";
import { kubernetesSDKind } from "./kubernetes/kind.ts";
import type { DiscoveryKind } from "./types.ts";

const ALL: readonly DiscoveryKind[] = [
  fileSdKind,
  httpSdKind,
  dnsSdKind,
  kubernetesSDKind,
  consulSDKind,
];

export const DISCOVERY_KINDS: ReadonlyMap<string, DiscoveryKind> = new Map(ALL.map((k) => [k.key, k]));
