/**
 * The `consul_sd_configs` discovery kind.
 *
 * @module
 */

import type { DiscoveryContext, DiscoveryKind } from "../types.ts";
import { type ConsulSDConfig, parseConsulSDConfig } from "./config.ts";
import { ConsulDiscoverer } from "./consul_discoverer.ts";

/** Registered in `discovery/registry.ts`. */
export const consulSDKind: DiscoveryKind<ConsulSDConfig> = Object.freeze({
  key: "consul_sd_configs",
  checkIntervalFlag: "promscrape.consulSDCheckInterval",
  defaultCheckIntervalMs: 30_000,
  parse: parseConsulSDConfig,
  create: (cfg: ConsulSDConfig, ctx: DiscoveryContext) => new ConsulDiscoverer(cfg, ctx),
});
