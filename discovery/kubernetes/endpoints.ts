/**
 * Target labels for the `endpoints` and `endpointslice` roles, following
 * VictoriaMetrics' endpoints.go and endpointslice.go: one target per
 * address and port, enriched with the backing service's and pod's labels,
 * plus one target for every container port of a referenced pod that no
 * endpoint port covered.
 *
 * @module
 */

import {
  appendContainerLabels,
  appendPodCommonLabels,
  appendServiceCommonLabels,
  joinHostPort,
  type MutableLabels,
  type ObjectLookup,
  registerLabelsAndAnnotations,
  sanitizeLabelName,
} from "./labels.ts";
import type {
  Container,
  EndpointAddress,
  EndpointPort,
  Endpoints,
  EndpointSlice,
  Pod,
  Service,
  SliceEndpoint,
} from "./objects.ts";

/** Records in `seen` and labels `m` with the containers of `p` that expose `port`. */
function matchContainerPorts(m: MutableLabels, p: Pod, port: number, seen: number[], sidecarsOnly: boolean): void {
  for (const c of p.containers) {
    const cp = c.ports.find((x) => x.containerPort === port);
    if (cp !== undefined) {
      seen.push(cp.containerPort);
      appendContainerLabels(m, c, cp, false);
    }
  }
  for (const c of p.initContainers) {
    // Native sidecars are init containers with restartPolicy Always.
    if (sidecarsOnly && c.restartPolicy !== "Always") continue;
    const cp = c.ports.find((x) => x.containerPort === port);
    if (cp !== undefined) {
      seen.push(cp.containerPort);
      appendContainerLabels(m, c, cp, true);
    }
  }
}

/** Targets for the ports of seen pods that no endpoint port covered. */
function appendUnseenPodPorts(
  out: MutableLabels[],
  podPortsSeen: Map<Pod, number[]>,
  lk: ObjectLookup,
  svc: Service | undefined,
  appendOwner: (m: MutableLabels, p: Pod) => void,
): void {
  const add = (p: Pod, c: Container, seen: number[], isInit: boolean) => {
    for (const cp of c.ports) {
      if (seen.includes(cp.containerPort)) continue;
      const m: MutableLabels = { __address__: joinHostPort(p.podIP, cp.containerPort) };
      appendPodCommonLabels(m, p, lk);
      appendContainerLabels(m, c, cp, isInit);
      appendOwner(m, p);
      if (svc !== undefined) appendServiceCommonLabels(m, svc);
      out.push(m);
    }
  };
  for (const [p, seen] of podPortsSeen) {
    for (const c of p.containers) add(p, c, seen, false);
    for (const c of p.initContainers) if (c.restartPolicy === "Always") add(p, c, seen, true);
  }
}

function endpointAddressLabels(
  eps: Endpoints,
  ea: EndpointAddress,
  epp: EndpointPort,
  ready: string,
  svc: Service | undefined,
  lk: ObjectLookup,
  podPortsSeen: Map<Pod, number[]>,
): MutableLabels {
  const m: MutableLabels = {
    __address__: joinHostPort(ea.ip, epp.port),
    __meta_kubernetes_namespace: eps.meta.namespace,
    __meta_kubernetes_endpoints_name: eps.meta.name,
    __meta_kubernetes_endpoint_ready: ready,
    __meta_kubernetes_endpoint_port_name: epp.name,
    __meta_kubernetes_endpoint_port_protocol: epp.protocol,
  };
  if (ea.targetRef.kind !== "") {
    m.__meta_kubernetes_endpoint_address_target_kind = ea.targetRef.kind;
    m.__meta_kubernetes_endpoint_address_target_name = ea.targetRef.name;
  }
  if (ea.nodeName !== "") m.__meta_kubernetes_endpoint_node_name = ea.nodeName;
  if (ea.hostname !== "") m.__meta_kubernetes_endpoint_hostname = ea.hostname;
  if (svc !== undefined) appendServiceCommonLabels(m, svc);
  registerLabelsAndAnnotations(eps.meta, "__meta_kubernetes_endpoints", m);
  const p = ea.targetRef.name !== "" ? lk.pod(ea.targetRef.namespace, ea.targetRef.name) : undefined;
  if (ea.targetRef.kind !== "Pod" || p === undefined) return m;
  appendPodCommonLabels(m, p, lk);
  let seen = podPortsSeen.get(p);
  if (seen === undefined) podPortsSeen.set(p, seen = []);
  matchContainerPorts(m, p, epp.port, seen, true);
  return m;
}

/** `role: endpoints`. */
export function endpointsTargets(eps: Endpoints, lk: ObjectLookup): MutableLabels[] {
  const svc = lk.service(eps.meta.namespace, eps.meta.name);
  const podPortsSeen = new Map<Pod, number[]>();
  const out: MutableLabels[] = [];
  for (const ss of eps.subsets) {
    for (const epp of ss.ports) {
      for (const ea of ss.addresses) out.push(endpointAddressLabels(eps, ea, epp, "true", svc, lk, podPortsSeen));
      for (const ea of ss.notReadyAddresses) {
        out.push(endpointAddressLabels(eps, ea, epp, "false", svc, lk, podPortsSeen));
      }
    }
  }
  appendUnseenPodPorts(out, podPortsSeen, lk, svc, (m, p) => {
    m.__meta_kubernetes_endpoints_name = eps.meta.name;
    m.__meta_kubernetes_endpoint_address_target_kind = "Pod";
    m.__meta_kubernetes_endpoint_address_target_name = p.meta.name;
    registerLabelsAndAnnotations(eps.meta, "__meta_kubernetes_endpoints", m);
  });
  return out;
}

function sliceEndpointLabels(
  eps: EndpointSlice,
  addr: string,
  ea: SliceEndpoint,
  epp: EndpointPort,
  p: Pod | undefined,
  svc: Service | undefined,
  lk: ObjectLookup,
  podPortsSeen: Map<Pod, number[]>,
): MutableLabels {
  const m: MutableLabels = {
    __address__: joinHostPort(addr, epp.port),
    __meta_kubernetes_namespace: eps.meta.namespace,
    __meta_kubernetes_endpointslice_name: eps.meta.name,
    __meta_kubernetes_endpointslice_address_type: eps.addressType,
    __meta_kubernetes_endpointslice_endpoint_conditions_ready: String(ea.ready),
    __meta_kubernetes_endpointslice_endpoint_conditions_serving: String(ea.serving),
    __meta_kubernetes_endpointslice_endpoint_conditions_terminating: String(ea.terminating),
    __meta_kubernetes_endpointslice_port_name: epp.name,
    __meta_kubernetes_endpointslice_port_protocol: epp.protocol,
    __meta_kubernetes_endpointslice_port: String(epp.port),
  };
  if (epp.appProtocol !== "") m.__meta_kubernetes_endpointslice_port_app_protocol = epp.appProtocol;
  if (ea.targetRef.kind !== "") {
    m.__meta_kubernetes_endpointslice_address_target_kind = ea.targetRef.kind;
    m.__meta_kubernetes_endpointslice_address_target_name = ea.targetRef.name;
  }
  if (ea.hostname !== "") m.__meta_kubernetes_endpointslice_endpoint_hostname = ea.hostname;
  if (ea.nodeName !== "") m.__meta_kubernetes_endpointslice_endpoint_node_name = ea.nodeName;
  for (const [k, v] of ea.topology) {
    m[sanitizeLabelName(`__meta_kubernetes_endpointslice_endpoint_topology_${k}`)] = v;
    m[sanitizeLabelName(`__meta_kubernetes_endpointslice_endpoint_topology_present_${k}`)] = "true";
  }
  if (svc !== undefined) appendServiceCommonLabels(m, svc);
  registerLabelsAndAnnotations(eps.meta, "__meta_kubernetes_endpointslice", m);
  if (ea.targetRef.kind !== "Pod" || p === undefined) return m;
  let seen = podPortsSeen.get(p);
  if (seen === undefined) podPortsSeen.set(p, seen = []);
  appendPodCommonLabels(m, p, lk);
  // Unlike endpoints, vmagent matches endpoint ports against every init container here.
  matchContainerPorts(m, p, epp.port, seen, false);
  return m;
}

/** `role: endpointslice`; the service comes from the `kubernetes.io/service-name` label. */
export function endpointSliceTargets(eps: EndpointSlice, lk: ObjectLookup): MutableLabels[] {
  const svcName = eps.meta.labels.find(([k]) => k === "kubernetes.io/service-name")?.[1] ?? "";
  const svc = lk.service(eps.meta.namespace, svcName);
  const podPortsSeen = new Map<Pod, number[]>();
  const out: MutableLabels[] = [];
  for (const ea of eps.endpoints) {
    const p = lk.pod(ea.targetRef.namespace, ea.targetRef.name);
    for (const epp of eps.ports) {
      for (const addr of ea.addresses) out.push(sliceEndpointLabels(eps, addr, ea, epp, p, svc, lk, podPortsSeen));
    }
  }
  appendUnseenPodPorts(out, podPortsSeen, lk, svc, (m, p) => {
    m.__meta_kubernetes_endpointslice_name = eps.meta.name;
    m.__meta_kubernetes_endpointslice_address_target_kind = "Pod";
    m.__meta_kubernetes_endpointslice_address_target_name = p.meta.name;
    m.__meta_kubernetes_endpointslice_address_type = eps.addressType;
    registerLabelsAndAnnotations(eps.meta, "__meta_kubernetes_endpointslice", m);
  });
  return out;
}
