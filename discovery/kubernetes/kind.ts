/**
 * The `kubernetes_sd_configs` discovery kind.
 *
 * @module
 */

import type { DiscoveryContext, DiscoveryKind } from "../types.ts";
import { type KubernetesSDConfig, parseKubernetesSDConfig } from "./config.ts";
import { KubernetesDiscoverer } from "./kubernetes_discoverer.ts";

/** Registered in `discovery/registry.ts`. */
export const kubernetesSDKind: DiscoveryKind<KubernetesSDConfig> = Object.freeze({
  key: "kubernetes_sd_configs",
  checkIntervalFlag: "promscrape.kubernetesSDCheckInterval",
  defaultCheckIntervalMs: 30_000,
  parse: parseKubernetesSDConfig,
  create: (cfg: KubernetesSDConfig, ctx: DiscoveryContext) => new KubernetesDiscoverer(cfg, ctx),
});
