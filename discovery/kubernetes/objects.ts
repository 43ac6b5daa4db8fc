/**
 * The parts of Kubernetes API objects that target generation reads, parsed
 * from the API's JSON into compact records (treated as immutable once cached). Everything else
 * (managedFields, specs, most of status) is dropped at parse time so a large
 * cluster's cache stays small, and so that two versions of an object that
 * differ only in ignored fields compare equal (their {@linkcode KObject.sig}
 * matches) and cause no target update, like VictoriaMetrics' DeepEqual on
 * its parsed structs.
 *
 * Missing fields read as Go zero values ("" / 0 / false / empty), matching
 * how VictoriaMetrics' structs decode them.
 *
 * @module
 */

import type { Role } from "./config.ts";

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  /** Sorted by name (VictoriaMetrics sorts them when decoding). */
  readonly labels: readonly (readonly [string, string])[];
  readonly annotations: readonly (readonly [string, string])[];
  readonly ownerReferences: readonly { readonly name: string; readonly kind: string; readonly controller: boolean }[];
}

export interface ContainerPort {
  readonly name: string;
  readonly containerPort: number;
  readonly protocol: string;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly ports: readonly ContainerPort[];
  readonly restartPolicy: string;
}

export interface ContainerStatus {
  readonly name: string;
  readonly containerID: string;
  readonly terminated: boolean;
}

export interface Pod {
  readonly kind: "pod";
  readonly meta: ObjectMeta;
  readonly nodeName: string;
  readonly containers: readonly Container[];
  readonly initContainers: readonly Container[];
  readonly phase: string;
  readonly podIP: string;
  readonly hostIP: string;
  readonly conditions: readonly { readonly type: string; readonly status: string }[];
  readonly containerStatuses: readonly ContainerStatus[];
  readonly initContainerStatuses: readonly ContainerStatus[];
}

export interface Service {
  readonly kind: "service";
  readonly meta: ObjectMeta;
  readonly clusterIP: string;
  readonly externalName: string;
  readonly type: string;
  readonly ports: readonly { readonly name: string; readonly protocol: string; readonly port: number }[];
}

export interface ObjectReference {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export interface EndpointPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly appProtocol: string;
}

export interface EndpointAddress {
  readonly ip: string;
  readonly hostname: string;
  readonly nodeName: string;
  readonly targetRef: ObjectReference;
}

export interface Endpoints {
  readonly kind: "endpoints";
  readonly meta: ObjectMeta;
  readonly subsets: readonly {
    readonly addresses: readonly EndpointAddress[];
    readonly notReadyAddresses: readonly EndpointAddress[];
    readonly ports: readonly EndpointPort[];
  }[];
}

export interface SliceEndpoint {
  readonly addresses: readonly string[];
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly hostname: string;
  readonly targetRef: ObjectReference;
  readonly nodeName: string;
  /** The `topology` map, sorted by key. */
  readonly topology: readonly (readonly [string, string])[];
}

export interface EndpointSlice {
  readonly kind: "endpointslice";
  readonly meta: ObjectMeta;
  readonly addressType: string;
  readonly endpoints: readonly SliceEndpoint[];
  readonly ports: readonly EndpointPort[];
}

export interface Node {
  readonly kind: "node";
  readonly meta: ObjectMeta;
  readonly providerID: string;
  readonly addresses: readonly { readonly type: string; readonly address: string }[];
  readonly kubeletPort: number;
}

export interface Ingress {
  readonly kind: "ingress";
  readonly meta: ObjectMeta;
  readonly ingressClassName: string;
  readonly tlsHosts: readonly (readonly string[])[];
  readonly rules: readonly { readonly host: string; readonly paths: readonly string[] }[];
}

export type K8sObject = Pod | Service | Endpoints | EndpointSlice | Node | Ingress;

/** A cached object with its identity and change signature. */
export interface KObject {
  /** `namespace/name` (nodes: `/name`). */
  readonly key: string;
  readonly obj: K8sObject;
  /** Serialized form of `obj`; equal signatures mean no target change. */
  readonly sig: string;
}

type J = Record<string, unknown>;
const EMPTY: J = {};

function o(v: unknown): J {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as J) : EMPTY;
}
function a(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}
function s(v: unknown): string {
  return typeof v === "string" ? v : "";
}
function n(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0;
}
function b(v: unknown): boolean {
  return v === true;
}
function sortedMap(v: unknown): readonly (readonly [string, string])[] {
  const m = o(v);
  return Object.keys(m)
    .sort()
    .map((k) => [k, s(m[k])] as const);
}

function parseMeta(v: unknown): ObjectMeta {
  const m = o(v);
  return {
    name: s(m.name),
    namespace: s(m.namespace),
    uid: s(m.uid),
    labels: sortedMap(m.labels),
    annotations: sortedMap(m.annotations),
    ownerReferences: a(m.ownerReferences).map((r) => {
      const x = o(r);
      return { name: s(x.name), kind: s(x.kind), controller: b(x.controller) };
    }),
  };
}

function parseRef(v: unknown): ObjectReference {
  const x = o(v);
  return { kind: s(x.kind), name: s(x.name), namespace: s(x.namespace) };
}

function parseEndpointPort(v: unknown): EndpointPort {
  const x = o(v);
  return { name: s(x.name), port: n(x.port), protocol: s(x.protocol), appProtocol: s(x.appProtocol) };
}

function parseContainer(v: unknown): Container {
  const x = o(v);
  return {
    name: s(x.name),
    image: s(x.image),
    ports: a(x.ports).map((p) => {
      const y = o(p);
      return { name: s(y.name), containerPort: n(y.containerPort), protocol: s(y.protocol) };
    }),
    restartPolicy: s(x.restartPolicy),
  };
}

function parseContainerStatus(v: unknown): ContainerStatus {
  const x = o(v);
  const term = o(x.state).terminated;
  return { name: s(x.name), containerID: s(x.containerID), terminated: term !== null && term !== undefined };
}

function parseEndpointAddress(v: unknown): EndpointAddress {
  const x = o(v);
  return { ip: s(x.ip), hostname: s(x.hostname), nodeName: s(x.nodeName), targetRef: parseRef(x.targetRef) };
}

/** Parses one API object of `role`. Throws TypeError on a non-object. */
export function parseObject(role: Role, raw: unknown): KObject {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new TypeError(`Cannot parse ${role} object: expected a JSON object`);
  }
  const x = raw as J;
  const meta = parseMeta(x.metadata);
  const spec = o(x.spec);
  const status = o(x.status);
  let obj: K8sObject;
  switch (role) {
    case "pod":
      obj = {
        kind: "pod",
        meta,
        nodeName: s(spec.nodeName),
        containers: a(spec.containers).map(parseContainer),
        initContainers: a(spec.initContainers).map(parseContainer),
        phase: s(status.phase),
        podIP: s(status.podIP),
        hostIP: s(status.hostIP),
        conditions: a(status.conditions).map((c) => ({ type: s(o(c).type), status: s(o(c).status) })),
        containerStatuses: a(status.containerStatuses).map(parseContainerStatus),
        initContainerStatuses: a(status.initContainerStatuses).map(parseContainerStatus),
      };
      break;
    case "service":
      obj = {
        kind: "service",
        meta,
        clusterIP: s(spec.clusterIP),
        externalName: s(spec.externalName),
        type: s(spec.type),
        ports: a(spec.ports).map((p) => ({ name: s(o(p).name), protocol: s(o(p).protocol), port: n(o(p).port) })),
      };
      break;
    case "endpoints":
      obj = {
        kind: "endpoints",
        meta,
        subsets: a(x.subsets).map((ss) => ({
          addresses: a(o(ss).addresses).map(parseEndpointAddress),
          notReadyAddresses: a(o(ss).notReadyAddresses).map(parseEndpointAddress),
          ports: a(o(ss).ports).map(parseEndpointPort),
        })),
      };
      break;
    case "endpointslice":
      obj = {
        kind: "endpointslice",
        meta,
        addressType: s(x.addressType),
        endpoints: a(x.endpoints).map((e) => {
          const y = o(e);
          const cond = o(y.conditions);
          return {
            addresses: a(y.addresses).map(s),
            ready: b(cond.ready),
            serving: b(cond.serving),
            terminating: b(cond.terminating),
            hostname: s(y.hostname),
            targetRef: parseRef(y.targetRef),
            nodeName: s(y.nodeName),
            topology: sortedMap(y.topology),
          };
        }),
        ports: a(x.ports).map(parseEndpointPort),
      };
      break;
    case "node":
      obj = {
        kind: "node",
        meta,
        providerID: s(spec.providerID),
        addresses: a(status.addresses).map((ad) => ({ type: s(o(ad).type), address: s(o(ad).address) })),
        // The API spells this field "Port" (DaemonEndpoint's JSON tag); Go decodes it case-insensitively.
        kubeletPort: n(o(o(status.daemonEndpoints).kubeletEndpoint).Port),
      };
      break;
    case "ingress":
      obj = {
        kind: "ingress",
        meta,
        ingressClassName: s(spec.ingressClassName),
        tlsHosts: a(spec.tls).map((t) => a(o(t).hosts).map(s)),
        rules: a(spec.rules).map((r) => ({
          host: s(o(r).host),
          paths: a(o(o(r).http).paths).map((p) => s(o(p).path)),
        })),
      };
      break;
  }
  // Nodes are cluster-scoped: the key has an empty namespace part.
  const key = `${role === "node" ? "" : meta.namespace}/${meta.name}`;
  return { key, obj, sig: JSON.stringify(obj) };
}
