/**
 * Consul `/v1/health/service/<name>` entries and their target labels,
 * exactly as VictoriaMetrics' consul `service_node.go` builds them
 * (`__meta_consul_*`, `__address__` = service address or node address, with
 * the service port).
 *
 * @module
 */

import { joinHostPort, type MutableLabels, sanitizeLabelName } from "../kubernetes/labels.ts";

/** The fields of one health entry that target generation reads. */
export interface ServiceNode {
  readonly service: {
    readonly id: string;
    readonly service: string;
    readonly address: string;
    readonly namespace: string;
    readonly partition: string;
    readonly port: number;
    readonly tags: readonly string[];
    /** Sorted pairs. */
    readonly meta: readonly (readonly [string, string])[];
  };
  readonly node: {
    readonly address: string;
    readonly datacenter: string;
    readonly node: string;
    readonly meta: readonly (readonly [string, string])[];
    readonly taggedAddresses: readonly (readonly [string, string])[];
  };
  readonly checks: readonly { readonly checkID: string; readonly status: string }[];
}

type J = Record<string, unknown>;
function o(v: unknown): J {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as J) : {};
}
function s(v: unknown): string {
  return typeof v === "string" ? v : "";
}
function pairs(v: unknown): readonly (readonly [string, string])[] {
  const m = o(v);
  return Object.keys(m)
    .sort()
    .map((k) => [k, s(m[k])] as const);
}

/** Parses a `/v1/health/service/<name>` response body. Throws SyntaxError/TypeError on bad input. */
export function parseServiceNodes(text: string): ServiceNode[] {
  const data = JSON.parse(text) as unknown;
  if (!Array.isArray(data)) throw new TypeError("Cannot unmarshal ServiceNodes: expected a JSON array");
  return data.map((e) => {
    if (e === null || typeof e !== "object" || Array.isArray(e)) {
      throw new TypeError("Cannot unmarshal ServiceNodes: expected objects");
    }
    const x = e as J;
    const svc = o(x.Service);
    const node = o(x.Node);
    return {
      service: {
        id: s(svc.ID),
        service: s(svc.Service),
        address: s(svc.Address),
        namespace: s(svc.Namespace),
        partition: s(svc.Partition),
        port: typeof svc.Port === "number" ? Math.trunc(svc.Port) : 0,
        tags: Array.isArray(svc.Tags) ? svc.Tags.map(s) : [],
        meta: pairs(svc.Meta),
      },
      node: {
        address: s(node.Address),
        datacenter: s(node.Datacenter),
        node: s(node.Node),
        meta: pairs(node.Meta),
        // Node.TaggedAddresses is a string map; Service.TaggedAddresses (objects) is not used.
        taggedAddresses: pairs(node.TaggedAddresses),
      },
      checks: (Array.isArray(x.Checks) ? x.Checks : []).map((c) => ({
        checkID: s(o(c).CheckID),
        status: s(o(c).Status),
      })),
    };
  });
}

/** Consul's `HealthChecks.AggregatedStatus`. */
export function aggregatedStatus(checks: ServiceNode["checks"]): string {
  let warning = false;
  let critical = false;
  let maintenance = false;
  for (const c of checks) {
    if (c.checkID === "_node_maintenance" || c.checkID.startsWith("_service_maintenance:")) {
      maintenance = true;
      continue;
    }
    switch (c.status) {
      case "passing":
        break;
      case "warning":
        warning = true;
        break;
      case "critical":
        critical = true;
        break;
      default:
        return "";
    }
  }
  if (maintenance) return "maintenance";
  if (critical) return "critical";
  if (warning) return "warning";
  return "passing";
}

/** The target of one service instance; `serviceName` is the watched name. */
export function serviceNodeTarget(sn: ServiceNode, serviceName: string, tagSeparator: string): MutableLabels {
  const host = sn.service.address !== "" ? sn.service.address : sn.node.address;
  const m: MutableLabels = {
    __address__: joinHostPort(host, sn.service.port),
    __meta_consul_address: sn.node.address,
    __meta_consul_dc: sn.node.datacenter,
    __meta_consul_health: aggregatedStatus(sn.checks),
    __meta_consul_namespace: sn.service.namespace,
    __meta_consul_partition: sn.service.partition,
    __meta_consul_node: sn.node.node,
    __meta_consul_service: serviceName,
    __meta_consul_service_address: sn.service.address,
    __meta_consul_service_id: sn.service.id,
    __meta_consul_service_port: String(sn.service.port),
    // Surrounded by the separator so relabeling regexes need not care about tag positions.
    __meta_consul_tags: tagSeparator + sn.service.tags.join(tagSeparator) + tagSeparator,
  };
  for (const tag of sn.service.tags) {
    const i = tag.indexOf("=");
    const k = i >= 0 ? tag.slice(0, i) : tag;
    m[sanitizeLabelName(`__meta_consul_tag_${k}`)] = i >= 0 ? tag.slice(i + 1) : "";
    m[sanitizeLabelName(`__meta_consul_tagpresent_${k}`)] = "true";
  }
  for (const [k, v] of sn.node.meta) m[sanitizeLabelName(`__meta_consul_metadata_${k}`)] = v;
  for (const [k, v] of sn.service.meta) m[sanitizeLabelName(`__meta_consul_service_metadata_${k}`)] = v;
  for (const [k, v] of sn.node.taggedAddresses) m[sanitizeLabelName(`__meta_consul_tagged_address_${k}`)] = v;
  return m;
}
