import { describe, expect, test } from "bun:test";
import { fixture } from "../testdata/replay_server.ts";
import type { Role } from "./config.ts";
import { targetsFor as targets } from "./kubernetes_discoverer.ts";
import { joinHostPort, type ObjectLookup, sanitizeLabelName } from "./labels.ts";
import { type KObject, parseObject } from "./objects.ts";

type L = Record<string, string>;

const load = (file: string, role: Role): KObject[] =>
  fixture<{ items: unknown[] }>(`kubernetes/${file}`).items.map((x) => parseObject(role, x));
const pods = load("pods.json", "pod");
const services = load("services.json", "service");
const nodes = load("nodes.json", "node");

function lookup(attachNodeMetadata: boolean): ObjectLookup {
  const find = (list: KObject[], key: string) => list.find((k) => k.key === key)?.obj as never;
  return {
    attachNodeMetadata,
    pod: (ns, name) => find(pods, `${ns}/${name}`),
    service: (ns, name) => find(services, `${ns}/${name}`),
    node: (name) => find(nodes, `/${name}`),
  };
}

const byJSON = (ls: readonly L[]) =>
  [...ls].map((l) => Object.fromEntries(Object.entries(l).sort())).sort((
    a,
    b,
  ) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

// Literal label fragments of the fixture objects, combined with spreads below.
const WEB_POD: L = {
  __meta_kubernetes_namespace: "default",
  __meta_kubernetes_pod_name: "web-7d4b9c6f5-x2kfp",
  __meta_kubernetes_pod_ip: "10.244.1.5",
  __meta_kubernetes_pod_ready: "true",
  __meta_kubernetes_pod_phase: "Running",
  __meta_kubernetes_pod_node_name: "node-a",
  __meta_kubernetes_pod_host_ip: "10.0.0.11",
  __meta_kubernetes_pod_uid: "5c2f3e2a-8b1d-4a7e-9d61-1f3b6c0e9a11",
  __meta_kubernetes_pod_controller_kind: "ReplicaSet",
  __meta_kubernetes_pod_controller_name: "web-7d4b9c6f5",
  __meta_kubernetes_pod_label_app_kubernetes_io_name: "web",
  __meta_kubernetes_pod_labelpresent_app_kubernetes_io_name: "true",
  __meta_kubernetes_pod_label_pod_template_hash: "7d4b9c6f5",
  __meta_kubernetes_pod_labelpresent_pod_template_hash: "true",
  __meta_kubernetes_pod_annotation_prometheus_io_scrape: "true",
  __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: "true",
  __meta_kubernetes_pod_annotation_prometheus_io_port: "9113",
  __meta_kubernetes_pod_annotationpresent_prometheus_io_port: "true",
};
const WORKER_POD: L = {
  __meta_kubernetes_namespace: "default",
  __meta_kubernetes_pod_name: "worker-0",
  __meta_kubernetes_pod_ip: "10.244.2.7",
  __meta_kubernetes_pod_ready: "false",
  __meta_kubernetes_pod_phase: "Running",
  __meta_kubernetes_pod_node_name: "node-b",
  __meta_kubernetes_pod_host_ip: "10.0.0.12",
  __meta_kubernetes_pod_uid: "9e1d2c3b-4a5f-4e6d-8c7b-0a1f2e3d4c5b",
  __meta_kubernetes_pod_controller_kind: "StatefulSet",
  __meta_kubernetes_pod_controller_name: "worker",
  __meta_kubernetes_pod_label_app: "worker",
  __meta_kubernetes_pod_labelpresent_app: "true",
  __meta_kubernetes_pod_label_statefulset_kubernetes_io_pod_name: "worker-0",
  __meta_kubernetes_pod_labelpresent_statefulset_kubernetes_io_pod_name: "true",
};
const WEB_HTTP: L = {
  __meta_kubernetes_pod_container_image: "nginx:1.25.3",
  __meta_kubernetes_pod_container_name: "web",
  __meta_kubernetes_pod_container_init: "false",
  __meta_kubernetes_pod_container_port_name: "http",
  __meta_kubernetes_pod_container_port_number: "8080",
  __meta_kubernetes_pod_container_port_protocol: "TCP",
};
const WEB_METRICS: L = {
  ...WEB_HTTP,
  __meta_kubernetes_pod_container_port_name: "metrics",
  __meta_kubernetes_pod_container_port_number: "9113",
};
const WORKER_C: L = {
  __meta_kubernetes_pod_container_image: "ghcr.io/acme/worker:v2.3.0",
  __meta_kubernetes_pod_container_name: "worker",
  __meta_kubernetes_pod_container_init: "false",
  __meta_kubernetes_pod_container_port_name: "",
  __meta_kubernetes_pod_container_port_number: "9100",
  __meta_kubernetes_pod_container_port_protocol: "TCP",
};
const PROXY_C: L = {
  __meta_kubernetes_pod_container_image: "envoyproxy/envoy:v1.29.1",
  __meta_kubernetes_pod_container_name: "proxy",
  __meta_kubernetes_pod_container_init: "true",
  __meta_kubernetes_pod_container_port_name: "admin",
  __meta_kubernetes_pod_container_port_number: "15000",
  __meta_kubernetes_pod_container_port_protocol: "TCP",
};
const WEB_SVC: L = {
  __meta_kubernetes_namespace: "default",
  __meta_kubernetes_service_name: "web",
  __meta_kubernetes_service_type: "ClusterIP",
  __meta_kubernetes_service_cluster_ip: "10.96.12.34",
  __meta_kubernetes_service_label_app_kubernetes_io_name: "web",
  __meta_kubernetes_service_labelpresent_app_kubernetes_io_name: "true",
  __meta_kubernetes_service_annotation_prometheus_io_scrape: "true",
  __meta_kubernetes_service_annotationpresent_prometheus_io_scrape: "true",
};
const WORKER_SVC: L = {
  __meta_kubernetes_namespace: "default",
  __meta_kubernetes_service_name: "worker",
  __meta_kubernetes_service_type: "ClusterIP",
  __meta_kubernetes_service_cluster_ip: "None",
  __meta_kubernetes_service_label_app: "worker",
  __meta_kubernetes_service_labelpresent_app: "true",
};
const NODE_A_META: L = {
  __meta_kubernetes_node_label_kubernetes_io_hostname: "node-a",
  __meta_kubernetes_node_labelpresent_kubernetes_io_hostname: "true",
  __meta_kubernetes_node_label_kubernetes_io_os: "linux",
  __meta_kubernetes_node_labelpresent_kubernetes_io_os: "true",
  __meta_kubernetes_node_label_topology_kubernetes_io_zone: "us-central1-a",
  __meta_kubernetes_node_labelpresent_topology_kubernetes_io_zone: "true",
  __meta_kubernetes_node_annotation_node_alpha_kubernetes_io_ttl: "0",
  __meta_kubernetes_node_annotationpresent_node_alpha_kubernetes_io_ttl: "true",
  __meta_kubernetes_node_annotation_volumes_kubernetes_io_controller_managed_attach_detach: "true",
  __meta_kubernetes_node_annotationpresent_volumes_kubernetes_io_controller_managed_attach_detach: "true",
};
const WEB_EPS: L = {
  __meta_kubernetes_endpoints_name: "web",
  __meta_kubernetes_endpoints_label_app_kubernetes_io_name: "web",
  __meta_kubernetes_endpoints_labelpresent_app_kubernetes_io_name: "true",
  __meta_kubernetes_endpoints_annotation_endpoints_kubernetes_io_last_change_trigger_time: "2024-05-02T09:14:09Z",
  __meta_kubernetes_endpoints_annotationpresent_endpoints_kubernetes_io_last_change_trigger_time: "true",
};
const WORKER_EPS: L = {
  __meta_kubernetes_endpoints_name: "worker",
  __meta_kubernetes_endpoints_label_app: "worker",
  __meta_kubernetes_endpoints_labelpresent_app: "true",
  __meta_kubernetes_endpoints_label_service_kubernetes_io_headless: "",
  __meta_kubernetes_endpoints_labelpresent_service_kubernetes_io_headless: "true",
};
const WEB_SLICE: L = {
  __meta_kubernetes_endpointslice_name: "web-8kz2q",
  __meta_kubernetes_endpointslice_address_type: "IPv4",
  __meta_kubernetes_endpointslice_label_app_kubernetes_io_name: "web",
  __meta_kubernetes_endpointslice_labelpresent_app_kubernetes_io_name: "true",
  __meta_kubernetes_endpointslice_label_endpointslice_kubernetes_io_managed_by: "endpointslice-controller.k8s.io",
  __meta_kubernetes_endpointslice_labelpresent_endpointslice_kubernetes_io_managed_by: "true",
  __meta_kubernetes_endpointslice_label_kubernetes_io_service_name: "web",
  __meta_kubernetes_endpointslice_labelpresent_kubernetes_io_service_name: "true",
  __meta_kubernetes_endpointslice_annotation_endpoints_kubernetes_io_last_change_trigger_time: "2024-05-02T09:14:09Z",
  __meta_kubernetes_endpointslice_annotationpresent_endpoints_kubernetes_io_last_change_trigger_time: "true",
};
const SLICE_PORT: L = {
  __meta_kubernetes_endpointslice_port: "8080",
  __meta_kubernetes_endpointslice_port_name: "http",
  __meta_kubernetes_endpointslice_port_protocol: "TCP",
  __meta_kubernetes_endpointslice_port_app_protocol: "http",
};

describe("target labels per role", () => {
  const f = (role: Role, file: string, attachNodeMetadata: boolean, want: L[]) => {
    const got = load(file, role).flatMap((ko) => targets(ko.obj, lookup(attachNodeMetadata)));
    expect(byJSON(got)).toEqual(byJSON(want));
  };

  test("pod", () => {
    f("pod", "pods.json", false, [
      {
        __address__: "10.244.1.5:8080",
        __meta_kubernetes_pod_container_id: "containerd://c0ffee000001",
        ...WEB_POD,
        ...WEB_HTTP,
      },
      {
        __address__: "10.244.1.5:9113",
        __meta_kubernetes_pod_container_id: "containerd://c0ffee000001",
        ...WEB_POD,
        ...WEB_METRICS,
      },
      // A container without ports: one target at the bare pod IP. The terminated init container is skipped.
      {
        __address__: "10.244.1.5",
        __meta_kubernetes_pod_container_id: "containerd://7f8e9d0c1b2a",
        ...WEB_POD,
        __meta_kubernetes_pod_container_image: "fluent/fluent-bit:2.2.0",
        __meta_kubernetes_pod_container_name: "log-shipper",
        __meta_kubernetes_pod_container_init: "false",
      },
      {
        __address__: "10.244.2.7:9100",
        __meta_kubernetes_pod_container_id: "containerd://b0b0b0b0b0b0",
        ...WORKER_POD,
        ...WORKER_C,
      },
      {
        __address__: "10.244.2.7:15000",
        __meta_kubernetes_pod_container_id: "containerd://e17e17e17e17",
        ...WORKER_POD,
        ...PROXY_C,
      },
      // IPv6 pod IP without a port is bracketed. Succeeded and IP-less pods produce nothing.
      {
        __address__: "[fd00:10:244::5]",
        __meta_kubernetes_pod_container_id: "containerd://fe80fe80fe80",
        __meta_kubernetes_namespace: "monitoring",
        __meta_kubernetes_pod_name: "dualstack-probe",
        __meta_kubernetes_pod_ip: "fd00:10:244::5",
        __meta_kubernetes_pod_ready: "true",
        __meta_kubernetes_pod_phase: "Running",
        __meta_kubernetes_pod_node_name: "node-b",
        __meta_kubernetes_pod_host_ip: "10.0.0.12",
        __meta_kubernetes_pod_uid: "0f0f0f0f-1e1e-2d2d-3c3c-4b4b4b4b4b4b",
        __meta_kubernetes_pod_label_k8s_app: "probe",
        __meta_kubernetes_pod_labelpresent_k8s_app: "true",
        __meta_kubernetes_pod_container_image: "quay.io/prometheus/blackbox-exporter:v0.25.0",
        __meta_kubernetes_pod_container_name: "probe",
        __meta_kubernetes_pod_container_init: "false",
      },
    ]);
  });

  test("pod with attach_metadata.node", () => {
    const got = load("pods.json", "pod").flatMap((ko) => targets(ko.obj, lookup(true)));
    const web = got.find((t) => t.__address__ === "10.244.1.5:8080");
    expect(web).toEqual({
      __address__: "10.244.1.5:8080",
      __meta_kubernetes_pod_container_id: "containerd://c0ffee000001",
      ...WEB_POD,
      ...WEB_HTTP,
      __meta_kubernetes_node_name: "node-a",
      ...NODE_A_META,
    });
    const worker = got.find((t) => t.__address__ === "10.244.2.7:9100");
    expect(worker?.__meta_kubernetes_node_name).toBe("node-b");
    expect(worker?.__meta_kubernetes_node_label_kubernetes_io_hostname).toBe("node-b");
  });

  test("service", () => {
    f("service", "services.json", false, [
      {
        __address__: "web.default.svc:80",
        ...WEB_SVC,
        __meta_kubernetes_service_port_name: "http",
        __meta_kubernetes_service_port_number: "80",
        __meta_kubernetes_service_port_protocol: "TCP",
      },
      {
        __address__: "web.default.svc:9113",
        ...WEB_SVC,
        __meta_kubernetes_service_port_name: "metrics",
        __meta_kubernetes_service_port_number: "9113",
        __meta_kubernetes_service_port_protocol: "TCP",
      },
      {
        __address__: "worker.default.svc:9100",
        ...WORKER_SVC,
        __meta_kubernetes_service_port_name: "metrics",
        __meta_kubernetes_service_port_number: "9100",
        __meta_kubernetes_service_port_protocol: "TCP",
      },
      {
        __address__: "external-db.default.svc:5432",
        __meta_kubernetes_namespace: "default",
        __meta_kubernetes_service_name: "external-db",
        __meta_kubernetes_service_type: "ExternalName",
        __meta_kubernetes_service_external_name: "db.example.com",
        __meta_kubernetes_service_port_name: "",
        __meta_kubernetes_service_port_number: "5432",
        __meta_kubernetes_service_port_protocol: "TCP",
      },
    ]);
  });

  test("endpoints", () => {
    f("endpoints", "endpoints.json", false, [
      {
        __address__: "10.244.1.5:8080",
        ...WEB_EPS,
        ...WEB_SVC,
        ...WEB_POD,
        ...WEB_HTTP,
        __meta_kubernetes_endpoint_ready: "true",
        __meta_kubernetes_endpoint_port_name: "http",
        __meta_kubernetes_endpoint_port_protocol: "TCP",
        __meta_kubernetes_endpoint_address_target_kind: "Pod",
        __meta_kubernetes_endpoint_address_target_name: "web-7d4b9c6f5-x2kfp",
        __meta_kubernetes_endpoint_node_name: "node-a",
      },
      {
        __address__: "10.0.5.5:8080",
        ...WEB_EPS,
        ...WEB_SVC,
        __meta_kubernetes_endpoint_ready: "false",
        __meta_kubernetes_endpoint_port_name: "http",
        __meta_kubernetes_endpoint_port_protocol: "TCP",
        __meta_kubernetes_endpoint_hostname: "legacy-web",
      },
      // The pod's port not covered by any endpoint port.
      {
        __address__: "10.244.1.5:9113",
        ...WEB_EPS,
        ...WEB_SVC,
        ...WEB_POD,
        ...WEB_METRICS,
        __meta_kubernetes_endpoint_address_target_kind: "Pod",
        __meta_kubernetes_endpoint_address_target_name: "web-7d4b9c6f5-x2kfp",
      },
      {
        __address__: "10.244.2.7:9100",
        ...WORKER_EPS,
        ...WORKER_SVC,
        ...WORKER_POD,
        ...WORKER_C,
        __meta_kubernetes_endpoint_ready: "false",
        __meta_kubernetes_endpoint_port_name: "metrics",
        __meta_kubernetes_endpoint_port_protocol: "TCP",
        __meta_kubernetes_endpoint_address_target_kind: "Pod",
        __meta_kubernetes_endpoint_address_target_name: "worker-0",
        __meta_kubernetes_endpoint_node_name: "node-b",
        __meta_kubernetes_endpoint_hostname: "worker-0",
      },
      // Native sidecar (init container with restartPolicy Always) ports are added too.
      {
        __address__: "10.244.2.7:15000",
        ...WORKER_EPS,
        ...WORKER_SVC,
        ...WORKER_POD,
        ...PROXY_C,
        __meta_kubernetes_endpoint_address_target_kind: "Pod",
        __meta_kubernetes_endpoint_address_target_name: "worker-0",
      },
    ]);
  });

  test("endpointslice", () => {
    f("endpointslice", "endpointslices.json", false, [
      {
        __address__: "10.244.1.5:8080",
        __meta_kubernetes_namespace: "default",
        ...WEB_SLICE,
        ...SLICE_PORT,
        ...WEB_SVC,
        ...WEB_POD,
        ...WEB_HTTP,
        __meta_kubernetes_endpointslice_endpoint_conditions_ready: "true",
        __meta_kubernetes_endpointslice_endpoint_conditions_serving: "true",
        __meta_kubernetes_endpointslice_endpoint_conditions_terminating: "false",
        __meta_kubernetes_endpointslice_address_target_kind: "Pod",
        __meta_kubernetes_endpointslice_address_target_name: "web-7d4b9c6f5-x2kfp",
        __meta_kubernetes_endpointslice_endpoint_node_name: "node-a",
      },
      {
        __address__: "10.244.3.4:8080",
        __meta_kubernetes_namespace: "default",
        ...WEB_SLICE,
        ...SLICE_PORT,
        ...WEB_SVC,
        __meta_kubernetes_endpointslice_endpoint_conditions_ready: "false",
        __meta_kubernetes_endpointslice_endpoint_conditions_serving: "true",
        __meta_kubernetes_endpointslice_endpoint_conditions_terminating: "true",
        __meta_kubernetes_endpointslice_endpoint_hostname: "web-old",
        __meta_kubernetes_endpointslice_endpoint_node_name: "node-b",
      },
      {
        __address__: "10.244.1.5:9113",
        ...WEB_SLICE,
        ...WEB_SVC,
        ...WEB_POD,
        ...WEB_METRICS,
        __meta_kubernetes_endpointslice_address_target_kind: "Pod",
        __meta_kubernetes_endpointslice_address_target_name: "web-7d4b9c6f5-x2kfp",
      },
    ]);
  });

  test("node", () => {
    f("node", "nodes.json", false, [
      {
        __address__: "10.0.0.11:10250",
        instance: "node-a",
        __meta_kubernetes_node_name: "node-a",
        __meta_kubernetes_node_provider_id: "gce://acme-prod/us-central1-a/node-a",
        ...NODE_A_META,
        __meta_kubernetes_node_address_InternalIP: "10.0.0.11",
        __meta_kubernetes_node_address_ExternalIP: "34.121.10.11",
        __meta_kubernetes_node_address_Hostname: "node-a",
      },
      // No InternalIP: InternalDNS wins over Hostname.
      {
        __address__: "node-b.c.acme-prod.internal:10250",
        instance: "node-b",
        __meta_kubernetes_node_name: "node-b",
        __meta_kubernetes_node_provider_id: "",
        __meta_kubernetes_node_label_kubernetes_io_hostname: "node-b",
        __meta_kubernetes_node_labelpresent_kubernetes_io_hostname: "true",
        __meta_kubernetes_node_address_Hostname: "node-b",
        __meta_kubernetes_node_address_InternalDNS: "node-b.c.acme-prod.internal",
      },
    ]);
  });

  test("ingress", () => {
    const base: L = {
      __meta_kubernetes_namespace: "default",
      __meta_kubernetes_ingress_name: "web",
      __meta_kubernetes_ingress_class_name: "nginx",
      __meta_kubernetes_ingress_annotation_nginx_ingress_kubernetes_io_rewrite_target: "/",
      __meta_kubernetes_ingress_annotationpresent_nginx_ingress_kubernetes_io_rewrite_target: "true",
    };
    f("ingress", "ingresses.json", false, [
      // `*.example.com` in spec.tls matches web.example.com: https.
      {
        __address__: "web.example.com",
        ...base,
        __meta_kubernetes_ingress_scheme: "https",
        __meta_kubernetes_ingress_host: "web.example.com",
        __meta_kubernetes_ingress_path: "/",
      },
      {
        __address__: "web.example.com",
        ...base,
        __meta_kubernetes_ingress_scheme: "https",
        __meta_kubernetes_ingress_host: "web.example.com",
        __meta_kubernetes_ingress_path: "/metrics",
      },
      // A path entry without `path` means "/".
      {
        __address__: "status.example.org",
        ...base,
        __meta_kubernetes_ingress_scheme: "http",
        __meta_kubernetes_ingress_host: "status.example.org",
        __meta_kubernetes_ingress_path: "/",
      },
    ]);
  });
});

test("sanitizeLabelName", () => {
  const f = (s: string, want: string) => expect(sanitizeLabelName(s)).toBe(want);
  f("app.kubernetes.io/name", "app_kubernetes_io_name");
  f("a-b_c9", "a_b_c9");
  f("zone/café", "zone_caf_");
  f("emoji😀", "emoji_");
});

test("joinHostPort", () => {
  const f = (h: string, p: number, want: string) => expect(joinHostPort(h, p)).toBe(want);
  f("10.0.0.1", 80, "10.0.0.1:80");
  f("fd00::1", 9100, "[fd00::1]:9100");
  f("web.default.svc", 0, "web.default.svc:0");
});

test("unchanged-for-labels fields keep the object signature", () => {
  const raw = fixture<{ items: Record<string, Record<string, unknown>>[] }>("kubernetes/pods.json").items[0]!;
  const a = parseObject("pod", raw);
  (raw.metadata as Record<string, unknown>).resourceVersion = "999999";
  (raw.status as Record<string, unknown>).startTime = "2030-01-01T00:00:00Z";
  expect(parseObject("pod", raw).sig).toBe(a.sig);
  (raw.status as Record<string, unknown>).podIP = "10.244.1.6";
  expect(parseObject("pod", raw).sig).not.toBe(a.sig);
});
