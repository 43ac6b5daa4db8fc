/**
 * Validation of one `kubernetes_sd_configs` entry into plain frozen data,
 * with the fields of VictoriaMetrics' `lib/promscrape/discovery/kubernetes`
 * `SDConfig`.
 *
 * @module
 */

import { checkFields, expectMap, getBool, getString, getStringList } from "./_yaml.ts";
import type { HTTPClientConfig } from "../../promauth/config.ts";
import { HTTP_CLIENT_FIELDS, parseSectionHTTPClient } from "../../promauth/parse.ts";
import type { SDEntry } from "../types.ts";

/** The object kinds a `kubernetes_sd_configs` entry can discover. */
export type Role = "pod" | "service" | "endpoints" | "endpointslice" | "node" | "ingress";

export const ROLES: readonly Role[] = ["pod", "service", "endpoints", "endpointslice", "node", "ingress"];

/** One `selectors` entry; applies to the watch of objects of `role`. */
export interface Selector {
  readonly role: Role;
  readonly label: string;
  readonly field: string;
}

/** A validated `kubernetes_sd_configs` entry. Plain frozen data. */
export interface KubernetesSDConfig {
  /** As written; empty means kubeconfig or in-cluster configuration. */
  readonly apiServer: string;
  readonly role: Role;
  readonly kubeconfigFile: string;
  readonly http: HTTPClientConfig;
  readonly namespaces: { readonly names: readonly string[]; readonly ownNamespace: boolean };
  readonly selectors: readonly Selector[];
  /** `attach_metadata.node`. */
  readonly attachNodeMetadata: boolean;
}

const FIELDS = new Set([
  "api_server",
  "role",
  "kubeconfig_file",
  "namespaces",
  "selectors",
  "attach_metadata",
  ...HTTP_CLIENT_FIELDS,
]);
const NAMESPACES_FIELDS = new Set(["names", "own_namespace"]);
const SELECTOR_FIELDS = new Set(["role", "label", "field"]);
const ATTACH_FIELDS = new Set(["node"]);

function parseRole(s: string, path: string): Role {
  // "endpointslices" is what the VictoriaMetrics operator generates; vmagent accepts it as an alias.
  const r = s === "endpointslices" ? "endpointslice" : s;
  if (!(ROLES as readonly string[]).includes(r)) {
    throw new TypeError(
      `${path}: unexpected role ${
        JSON.stringify(s)
      }; must be one of pod, service, endpoints, endpointslice, node or ingress`,
    );
  }
  return r as Role;
}

/** Validates one entry. Throws TypeError whose message starts with `entry.path`. */
export function parseKubernetesSDConfig({ raw, yaml, path, strict, baseDir }: SDEntry): KubernetesSDConfig {
  const m = expectMap(raw, path);
  checkFields(m, FIELDS, path, strict);
  if (m.role === undefined || m.role === null || m.role === "") throw new TypeError(`${path}.role: missing role`);
  const role = parseRole(getString(m, "role", path), `${path}.role`);
  const apiServer = getString(m, "api_server", path);
  const kubeconfigFile = getString(m, "kubeconfig_file", path);
  if (apiServer !== "" && kubeconfigFile !== "") {
    throw new TypeError(`${path}: api_server and kubeconfig_file cannot be set simultaneously`);
  }
  const nsPath = `${path}.namespaces`;
  const ns = expectMap(m.namespaces, nsPath);
  checkFields(ns, NAMESPACES_FIELDS, nsPath, strict);
  const names = getStringList(ns, "names", nsPath);
  for (const [i, n] of names.entries()) {
    if (n === "") throw new TypeError(`${nsPath}.names[${i}]: empty namespace`);
  }
  const selectors: Selector[] = [];
  const rawSel = m.selectors;
  if (rawSel !== undefined && rawSel !== null) {
    if (!Array.isArray(rawSel)) throw new TypeError(`${path}.selectors: expected a list`);
    for (const [i, s] of rawSel.entries()) {
      const p = `${path}.selectors[${i}]`;
      const sm = expectMap(s, p);
      checkFields(sm, SELECTOR_FIELDS, p, strict);
      selectors.push(
        Object.freeze({
          role: parseRole(getString(sm, "role", p), `${p}.role`),
          label: getString(sm, "label", p),
          field: getString(sm, "field", p),
        }),
      );
    }
  }
  const amPath = `${path}.attach_metadata`;
  const am = expectMap(m.attach_metadata, amPath);
  checkFields(am, ATTACH_FIELDS, amPath, strict);
  return Object.freeze({
    apiServer,
    role,
    kubeconfigFile,
    http: parseSectionHTTPClient(yaml, path, baseDir),
    namespaces: Object.freeze({ names, ownNamespace: getBool(ns, "own_namespace", nsPath, false) }),
    selectors: Object.freeze(selectors),
    attachNodeMetadata: getBool(am, "node", amPath, false),
  });
}
