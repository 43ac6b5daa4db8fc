/**
 * Validation of one `consul_sd_configs` entry into plain frozen data, with
 * the fields of VictoriaMetrics' `lib/promscrape/discovery/consul` `SDConfig`.
 *
 * @module
 */

import {
  checkFields,
  expectMap,
  getOptionalBool,
  getString,
  getStringList,
  getStringMap,
} from "../kubernetes/_yaml.ts";
import type { HTTPClientConfig } from "../../promauth/config.ts";
import { HTTP_CLIENT_FIELDS, parseSectionHTTPClient } from "../../promauth/parse.ts";
import type { SDEntry } from "../types.ts";

/** A validated `consul_sd_configs` entry. Plain frozen data. */
export interface ConsulSDConfig {
  /** As written; default `localhost:8500`. */
  readonly server: string;
  /** `null` when absent: then `CONSUL_HTTP_TOKEN_FILE` / `CONSUL_HTTP_TOKEN` apply. */
  readonly token: string | null;
  /** Empty means "ask the agent" (`/v1/agent/self`). */
  readonly datacenter: string;
  /** Enterprise namespace; empty means `CONSUL_NAMESPACE` or none. */
  readonly namespace: string;
  readonly partition: string;
  readonly scheme: string;
  readonly username: string;
  readonly password: string;
  readonly http: HTTPClientConfig;
  readonly services: readonly string[];
  readonly tags: readonly string[];
  /** Sorted `node_meta` pairs. */
  readonly nodeMeta: readonly (readonly [string, string])[];
  readonly tagSeparator: string;
  /** Default true: vmagent reads from any server (`&stale`) unless `allow_stale: false`. */
  readonly allowStale: boolean;
  /** Catalog filter expression for `/v1/catalog/services`. */
  readonly filter: string;
}

const FIELDS = new Set([
  "server",
  "token",
  "datacenter",
  "namespace",
  "partition",
  "scheme",
  "username",
  "password",
  "services",
  "tags",
  "node_meta",
  "tag_separator",
  "allow_stale",
  "filter",
  ...HTTP_CLIENT_FIELDS,
]);

/** Validates one entry. Throws TypeError whose message starts with `entry.path`. */
export function parseConsulSDConfig({ raw, yaml, path, strict, baseDir }: SDEntry): ConsulSDConfig {
  const m = expectMap(raw, path);
  checkFields(m, FIELDS, path, strict);
  const http = parseSectionHTTPClient(yaml, path, baseDir);
  const token = m.token === undefined || m.token === null ? null : getString(m, "token", path);
  if (
    token !== null && token !== "" &&
    (http.auth.bearerToken !== null || http.auth.bearerTokenFile !== null || http.auth.authorization !== null)
  ) {
    throw new TypeError(`${path}: token and bearer_token cannot be set simultaneously`);
  }
  const username = getString(m, "username", path);
  if (username !== "" && http.auth.basicAuth !== null) {
    throw new TypeError(`${path}: username and basic_auth cannot be set simultaneously`);
  }
  const scheme = getString(m, "scheme", path);
  if (scheme !== "" && scheme !== "http" && scheme !== "https") {
    throw new TypeError(`${path}.scheme: unsupported scheme ${JSON.stringify(scheme)}; want http or https`);
  }
  return Object.freeze({
    server: getString(m, "server", path),
    token,
    datacenter: getString(m, "datacenter", path),
    namespace: getString(m, "namespace", path),
    partition: getString(m, "partition", path),
    scheme,
    username,
    password: getString(m, "password", path),
    http,
    services: getStringList(m, "services", path),
    tags: getStringList(m, "tags", path),
    nodeMeta: getStringMap(m, "node_meta", path),
    tagSeparator: m.tag_separator === undefined || m.tag_separator === null ? "," : getString(m, "tag_separator", path),
    allowStale: getOptionalBool(m, "allow_stale", path) ?? true,
    filter: getString(m, "filter", path),
  });
}
