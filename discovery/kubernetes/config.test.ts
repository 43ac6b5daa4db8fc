import { expect, test } from "bun:test";
import { parseKubernetesSDConfig } from "./config.ts";
import { parseKubeConfig } from "./kubeconfig.ts";
import { NO_AUTH, NO_HTTP_CLIENT } from "../../promauth/config.ts";
import { sdEntry } from "../_test_util.ts";

test("parseKubernetesSDConfig accepts", () => {
  const c = parseKubernetesSDConfig(sdEntry(
    {
      api_server: "https://k8s:6443",
      role: "endpointslices",
      namespaces: { names: ["a", "b"] },
      selectors: [{ role: "pod", label: "app=x" }],
      attach_metadata: { node: true },
      bearer_token_file: "/var/run/token",
      tls_config: { ca_file: "ca.pem", server_name: "k8s" },
      follow_redirects: false,
      headers: ["X-A: 1"],
    },
    "scrape_configs[0].kubernetes_sd_configs[0]",
    true,
  ));
  expect(c.role).toBe("endpointslice");
  expect(c.namespaces).toEqual({ names: ["a", "b"], ownNamespace: false });
  expect(c.selectors).toEqual([{ role: "pod", label: "app=x", field: "" }]);
  expect(c.attachNodeMetadata).toBe(true);
  expect(c.http.auth.bearerTokenFile).toBe("/var/run/token");
  expect(c.http.auth.tls?.caFile).toBe("ca.pem");
  expect(c.http.followRedirects).toBe(false);
  expect(c.http.auth.headers).toEqual([["X-A", "1"]]);
  expect(Object.isFrozen(c)).toBe(true);
  expect(structuredClone(c)).toEqual(c);
});

test("parseKubernetesSDConfig rejects", () => {
  const f = (raw: unknown, want: string, strict = true) => {
    expect(() => parseKubernetesSDConfig(sdEntry(raw, "sc[1].kubernetes_sd_configs[0]", strict))).toThrow(want);
  };
  f({}, "sc[1].kubernetes_sd_configs[0].role: missing role");
  f({ role: "deployment" }, 'sc[1].kubernetes_sd_configs[0].role: unexpected role "deployment"');
  f({ role: "pod", foo: 1 }, 'sc[1].kubernetes_sd_configs[0]: unknown field "foo"');
  f(
    { role: "pod", api_server: "a", kubeconfig_file: "k" },
    "api_server and kubeconfig_file cannot be set simultaneously",
  );
  f(
    { role: "pod", namespaces: { names: "default" } },
    "sc[1].kubernetes_sd_configs[0].namespaces.names: expected a list of strings",
  );
  f({ role: "pod", namespaces: { own: true } }, 'namespaces: unknown field "own"');
  f(
    { role: "pod", selectors: [{ role: "deploy" }] },
    "sc[1].kubernetes_sd_configs[0].selectors[0].role: unexpected role",
  );
  f({ role: "pod", attach_metadata: { namespace: true } }, 'attach_metadata: unknown field "namespace"');
  f(
    { role: "pod", bearer_token: "a", bearer_token_file: "b" },
    "sc[1].kubernetes_sd_configs[0]: both `bearer_token` and `bearer_token_file` are set",
  );
  f(
    { role: "pod", bearer_token: "a", basic_auth: { username: "u" } },
    "sc[1].kubernetes_sd_configs[0].bearer_token: cannot be used together with `authorization` or `basic_auth`",
  );
  f({ role: "pod", basic_auth: { password: "p" } }, "sc[1].kubernetes_sd_configs[0].basic_auth: missing `username`");
  f(
    { role: "pod", tls_config: { cert_file: "c" } },
    "sc[1].kubernetes_sd_configs[0].tls_config: missing `key` or `key_file` for the client certificate",
  );
  f(
    { role: "pod", tls_config: { min_version: "SSL3" } },
    'sc[1].kubernetes_sd_configs[0].tls_config.min_version: unsupported TLS version "SSL3"',
  );
  f({ role: "pod", headers: ["nocolon"] }, "sc[1].kubernetes_sd_configs[0].headers[0]: missing ':' in header");
  f(
    { role: "pod", oauth2: { client_id: "x" } },
    "sc[1].kubernetes_sd_configs[0].oauth2: missing `client_secret` or `client_secret_file`",
  );
  f("pod", "sc[1].kubernetes_sd_configs[0]: expected a mapping");
  // Non-strict mode ignores unknown fields but still validates known ones.
  expect(parseKubernetesSDConfig(sdEntry({ role: "pod", foo: 1 }, "x", false)).role).toBe("pod");
  f({ role: 1 }, "unexpected role", false);
});

const KUBECONFIG = `
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster:
    server: https://k8s.example.com:6443
    certificate-authority-data: ${btoa("-----BEGIN CERTIFICATE-----\nCA\n")}
    tls-server-name: kubernetes
- name: dev-cluster
  cluster:
    server: http://127.0.0.1:8001
contexts:
- name: prod
  context: {cluster: prod-cluster, user: admin}
- name: dev
  context: {cluster: dev-cluster}
users:
- name: admin
  user:
    client-certificate: /etc/k8s/admin.crt
    client-key-data: ${btoa("KEY")}
    token: t0k3n
`;

test("parseKubeConfig", () => {
  const kc = parseKubeConfig(
    KUBECONFIG,
    { ...NO_HTTP_CLIENT, auth: { ...NO_AUTH, headers: [["X-A", "1"]] } },
    "/etc/drover",
  );
  expect(kc.server).toBe("https://k8s.example.com:6443");
  expect(kc.http.auth.bearerToken).toBe("t0k3n");
  expect(kc.http.auth.tls).toEqual({
    ca: "-----BEGIN CERTIFICATE-----\nCA\n",
    caFile: null,
    cert: null,
    certFile: "/etc/k8s/admin.crt",
    key: "KEY",
    keyFile: null,
    serverName: "kubernetes",
    insecureSkipVerify: false,
    minVersion: "",
  });
  expect(kc.http.auth.headers).toEqual([["X-A", "1"]]);
  const dev = parseKubeConfig(
    KUBECONFIG.replace("current-context: prod", "current-context: dev"),
    NO_HTTP_CLIENT,
    "/etc/drover",
  );
  expect(dev.server).toBe("http://127.0.0.1:8001");
  expect(dev.http.auth.tls).toBeNull();
  // Relative file names resolve against the config directory.
  expect(
    parseKubeConfig(KUBECONFIG.replace("/etc/k8s/admin.crt", "admin.crt"), NO_HTTP_CLIENT, "/etc/drover").http.auth.tls
      ?.certFile,
  ).toBe("/etc/drover/admin.crt");

  const f = (text: string, want: string) => expect(() => parseKubeConfig(text, NO_HTTP_CLIENT, "/")).toThrow(want);
  f(KUBECONFIG.replace("current-context: prod", "current-context: none"), 'Missing context "none"');
  f(KUBECONFIG.replace("token: t0k3n", "exec: {command: aws}"), 'field "exec" is not supported yet');
  f(KUBECONFIG.replace("server: https://k8s.example.com:6443", "server: ''"), "Missing kubernetes server address");
  f(KUBECONFIG.replace("user: admin}", "user: nobody}"), 'Missing auth config "nobody"');
});
