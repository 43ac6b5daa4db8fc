/**
 * Target labels for the `pod`, `service`, `node` and `ingress` roles, and
 * the helpers shared with the endpoints roles, producing exactly the
 * `__meta_kubernetes_*` labels and `__address__` of VictoriaMetrics'
 * `lib/promscrape/discovery/kubernetes` (pod.go, service.go, node.go,
 * ingress.go, common_types.go).
 *
 * When two label names collide (e.g. after sanitizing `a.b` and `a_b`), the
 * later write wins, as after VictoriaMetrics' `RemoveDuplicates`.
 *
 * @module
 */

import type { Container, ContainerPort, Ingress, Node, ObjectMeta, Pod, Service } from "./objects.ts";

/** A target label set under construction. */
export type MutableLabels = Record<string, string>;

/** Read access to the other cached objects a role's labels depend on. */
export interface ObjectLookup {
  /** `attach_metadata.node`. */
  readonly attachNodeMetadata: boolean;
  pod(namespace: string, name: string): Pod | undefined;
  service(namespace: string, name: string): Service | undefined;
  node(name: string): Node | undefined;
}

const INVALID_LABEL_CHARS = /[^a-zA-Z0-9_]/gu;

/** Replaces every character that is invalid in a Prometheus label name with `_`. */
export function sanitizeLabelName(s: string): string {
  return s.replace(INVALID_LABEL_CHARS, "_");
}

/** `host:port`, bracketing IPv6 hosts (Go's `net.JoinHostPort`). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Adds `<prefix>_label_*`, `_labelpresent_*`, `_annotation_*`, `_annotationpresent_*`. */
export function registerLabelsAndAnnotations(meta: ObjectMeta, prefix: string, m: MutableLabels): void {
  for (const [k, v] of meta.labels) {
    const ln = sanitizeLabelName(k);
    m[`${prefix}_label_${ln}`] = v;
    m[`${prefix}_labelpresent_${ln}`] = "true";
  }
  for (const [k, v] of meta.annotations) {
    const an = sanitizeLabelName(k);
    m[`${prefix}_annotation_${an}`] = v;
    m[`${prefix}_annotationpresent_${an}`] = "true";
  }
}

function podReady(p: Pod): string {
  for (const c of p.conditions) {
    if (c.type === "Ready") return c.status.toLowerCase();
  }
  return "unknown";
}

function containerStatus(p: Pod, name: string, isInit: boolean) {
  const list = isInit ? p.initContainerStatuses : p.containerStatuses;
  for (const cs of list) if (cs.name === name) return cs;
  return undefined;
}

/** The labels every pod-backed target carries (pod.go `appendCommonLabels`). */
export function appendPodCommonLabels(m: MutableLabels, p: Pod, lk: ObjectLookup): void {
  if (lk.attachNodeMetadata) {
    m.__meta_kubernetes_node_name = p.nodeName;
    const n = lk.node(p.nodeName);
    if (n !== undefined) registerLabelsAndAnnotations(n.meta, "__meta_kubernetes_node", m);
  }
  m.__meta_kubernetes_pod_name = p.meta.name;
  m.__meta_kubernetes_pod_ip = p.podIP;
  m.__meta_kubernetes_pod_ready = podReady(p);
  m.__meta_kubernetes_pod_phase = p.phase;
  m.__meta_kubernetes_pod_node_name = p.nodeName;
  m.__meta_kubernetes_pod_host_ip = p.hostIP;
  m.__meta_kubernetes_pod_uid = p.meta.uid;
  m.__meta_kubernetes_namespace = p.meta.namespace;
  const ctl = p.meta.ownerReferences.find((r) => r.controller);
  if (ctl !== undefined) {
    if (ctl.kind !== "") m.__meta_kubernetes_pod_controller_kind = ctl.kind;
    if (ctl.name !== "") m.__meta_kubernetes_pod_controller_name = ctl.name;
  }
  registerLabelsAndAnnotations(p.meta, "__meta_kubernetes_pod", m);
}

/** The per-container labels (pod.go `appendContainerLabels`). */
export function appendContainerLabels(m: MutableLabels, c: Container, cp: ContainerPort | null, isInit: boolean): void {
  m.__meta_kubernetes_pod_container_image = c.image;
  m.__meta_kubernetes_pod_container_name = c.name;
  m.__meta_kubernetes_pod_container_init = isInit ? "true" : "false";
  if (cp !== null) {
    m.__meta_kubernetes_pod_container_port_name = cp.name;
    m.__meta_kubernetes_pod_container_port_number = String(cp.containerPort);
    m.__meta_kubernetes_pod_container_port_protocol = cp.protocol;
  }
}

function appendPodTargets(
  out: MutableLabels[],
  p: Pod,
  cs: readonly Container[],
  isInit: boolean,
  lk: ObjectLookup,
): void {
  for (const c of cs) {
    const st = containerStatus(p, c.name, isInit);
    if (st?.terminated === true) continue; // a finished container cannot be scraped
    const ports: readonly (ContainerPort | null)[] = c.ports.length > 0 ? c.ports : [null];
    for (const cp of ports) {
      let addr: string;
      if (cp !== null) addr = joinHostPort(p.podIP, cp.containerPort);
      else addr = p.podIP.includes(":") && !p.podIP.startsWith("[") ? `[${p.podIP}]` : p.podIP;
      const m: MutableLabels = { __address__: addr };
      if (st !== undefined && st.containerID !== "") m.__meta_kubernetes_pod_container_id = st.containerID;
      appendPodCommonLabels(m, p, lk);
      appendContainerLabels(m, c, cp, isInit);
      out.push(m);
    }
  }
}

/**
 * `role: pod`: one target per declared container port, or one port-less
 * target (`__address__` = pod IP) per container without ports. Pods without
 * an IP, finished pods (Succeeded/Failed) and terminated containers are skipped.
 */
export function podTargets(p: Pod, lk: ObjectLookup): MutableLabels[] {
  if (p.podIP === "" || p.phase === "Succeeded" || p.phase === "Failed") return [];
  const out: MutableLabels[] = [];
  appendPodTargets(out, p, p.containers, false, lk);
  appendPodTargets(out, p, p.initContainers, true, lk);
  return out;
}

/** The labels every service-backed target carries (service.go `appendCommonLabels`). */
export function appendServiceCommonLabels(m: MutableLabels, s: Service): void {
  m.__meta_kubernetes_namespace = s.meta.namespace;
  m.__meta_kubernetes_service_name = s.meta.name;
  m.__meta_kubernetes_service_type = s.type;
  if (s.type !== "ExternalName") m.__meta_kubernetes_service_cluster_ip = s.clusterIP;
  else m.__meta_kubernetes_service_external_name = s.externalName;
  registerLabelsAndAnnotations(s.meta, "__meta_kubernetes_service", m);
}

/** `role: service`: one target per service port at `<name>.<namespace>.svc:<port>`. */
export function serviceTargets(s: Service): MutableLabels[] {
  const host = `${s.meta.name}.${s.meta.namespace}.svc`;
  return s.ports.map((sp) => {
    const m: MutableLabels = {
      __address__: joinHostPort(host, sp.port),
      __meta_kubernetes_service_port_name: sp.name,
      __meta_kubernetes_service_port_number: String(sp.port),
      __meta_kubernetes_service_port_protocol: sp.protocol,
    };
    appendServiceCommonLabels(m, s);
    return m;
  });
}

const NODE_ADDRESS_ORDER = ["InternalIP", "InternalDNS", "ExternalIP", "ExternalDNS", "LegacyHostIP", "Hostname"];

/** `role: node`: one target at the first address by type priority and the kubelet port. */
export function nodeTargets(n: Node): MutableLabels[] {
  let addr = "";
  for (const t of NODE_ADDRESS_ORDER) {
    const a = n.addresses.find((x) => x.type === t);
    if (a !== undefined && a.address !== "") {
      addr = a.address;
      break;
    }
  }
  if (addr === "") return [];
  const m: MutableLabels = {
    __address__: joinHostPort(addr, n.kubeletPort),
    instance: n.meta.name,
    __meta_kubernetes_node_name: n.meta.name,
    __meta_kubernetes_node_provider_id: n.providerID,
  };
  registerLabelsAndAnnotations(n.meta, "__meta_kubernetes_node", m);
  const seen = new Set<string>();
  for (const a of n.addresses) {
    if (seen.has(a.type)) continue;
    seen.add(a.type);
    m[sanitizeLabelName(`__meta_kubernetes_node_address_${a.type}`)] = a.address;
  }
  return [m];
}

function matchesHostPattern(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith("*.")) return false;
  const i = host.indexOf(".");
  return i >= 0 && pattern.slice(2) === host.slice(i + 1);
}

/** `role: ingress`: one target per rule path (default `/`), `__address__` = rule host. */
export function ingressTargets(ig: Ingress): MutableLabels[] {
  const out: MutableLabels[] = [];
  for (const r of ig.rules) {
    const scheme = ig.tlsHosts.some((hosts) => hosts.some((h) => matchesHostPattern(h, r.host))) ? "https" : "http";
    const paths = r.paths.length === 0 ? ["/"] : r.paths.map((p) => (p === "" ? "/" : p));
    for (const path of paths) {
      const m: MutableLabels = {
        __address__: r.host,
        __meta_kubernetes_namespace: ig.meta.namespace,
        __meta_kubernetes_ingress_name: ig.meta.name,
        __meta_kubernetes_ingress_scheme: scheme,
        __meta_kubernetes_ingress_host: r.host,
        __meta_kubernetes_ingress_path: path,
        __meta_kubernetes_ingress_class_name: ig.ingressClassName,
      };
      registerLabelsAndAnnotations(ig.meta, "__meta_kubernetes_ingress", m);
      out.push(m);
    }
  }
  return out;
}
