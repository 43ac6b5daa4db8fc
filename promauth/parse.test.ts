import { describe, expect, test } from "bun:test";
import { LineCounter, parseDocument } from "yaml";
import { fields, type YamlCtx, yamlValueOf } from "../config/yaml.ts";
import { NO_AUTH } from "./config.ts";
import { HTTP_CLIENT_FIELDS, parseHTTPClientConfig, parseSectionHTTPClient } from "./parse.ts";

/** Parses `yaml` (one section) as an `sd[0]` entry whose other fields belong to its owner. */
function parseText(yaml: string) {
  const lines = new LineCounter();
  const doc = parseDocument(yaml, { schema: "yaml-1.1", lineCounter: lines });
  const ctx: YamlCtx = { doc, lines, strict: true, warn: () => {} };
  return parseSectionHTTPClient({ ctx, node: doc.contents }, "sd[0]", "/etc/drover");
}

describe("parseHTTPClientConfig()", () => {
  test("reads every option; files resolve against the config directory", () => {
    const c = parseText(`
url: http://owner-field
authorization: {type: Token, credentials_file: tok}
tls_config: {ca_file: ca.pem, cert_file: /abs/c.pem, key_file: k.pem, server_name: s, insecure_skip_verify: yes, min_version: TLS12}
headers: ["X-A: 1", "X-B:"]
proxy_url: http://proxy:3128
proxy_basic_auth: {username: pu, password: 0123}
follow_redirects: false
`);
    expect(c).toEqual({
      auth: {
        ...NO_AUTH,
        authorization: { type: "Token", credentials: null, credentialsFile: "/etc/drover/tok" },
        tls: {
          ca: null,
          caFile: "/etc/drover/ca.pem",
          cert: null,
          certFile: "/abs/c.pem",
          key: null,
          keyFile: "/etc/drover/k.pem",
          serverName: "s",
          insecureSkipVerify: true,
          minVersion: "TLS12",
        },
        headers: [["X-A", "1"], ["X-B", ""]],
      },
      proxyURL: "http://proxy:3128",
      // Scalars are kept as written (yaml.v2 into a string field): 0123 is not octal 83.
      proxy: { ...NO_AUTH, basicAuth: { username: "pu", usernameFile: null, password: "0123", passwordFile: null } },
      followRedirects: false,
    });
    expect(Object.isFrozen(c.auth)).toBe(true);
    expect(structuredClone(c)).toEqual(c);
  });

  test("oauth2", () => {
    const { ctx, node } = yamlValueOf({
      oauth2: {
        client_id: "id",
        client_secret_file: "s.txt",
        scopes: ["a", "b"],
        token_url: "https://t",
        endpoint_params: { aud: "x" },
        proxy_url: "http://p:1",
      },
    });
    expect(parseHTTPClientConfig(ctx, fields(ctx, node, "", HTTP_CLIENT_FIELDS), "", "/d").auth.oauth2).toEqual({
      clientId: "id",
      clientSecret: null,
      clientSecretFile: "/d/s.txt",
      scopes: ["a", "b"],
      tokenURL: "https://t",
      endpointParams: [["aud", "x"]],
      tls: null,
      proxyURL: "http://p:1",
      headers: [],
    });
  });

  test("errors name the path and the line of the offending value", () => {
    const f = (yaml: string, want: string) => expect(() => parseText(yaml)).toThrow(new TypeError(want));
    f("x: 1\nbasic_auth: {password: p}\n", "sd[0].basic_auth: missing `username` at line 2");
    f(
      "x: 1\nbasic_auth: {username: u, username_file: f}\n",
      "sd[0].basic_auth: both `username` and `username_file` are set at line 2",
    );
    f(
      "bearer_token: a\nbearer_token_file: b\n",
      "sd[0]: both `bearer_token` and `bearer_token_file` are set at line 1",
    );
    f(
      "basic_auth: {username: u}\nbearer_token_file: b\n",
      "sd[0].bearer_token_file: cannot be used together with `authorization` or `basic_auth` at line 2",
    );
    f(
      "bearer_token: b\noauth2: {client_id: c, client_secret: s, token_url: t}\n",
      "sd[0].oauth2: cannot be used together with `authorization`, `basic_auth` or `bearer_token` at line 2",
    );
    f("oauth2: {client_secret: s}\n", "sd[0].oauth2: missing `client_id` at line 1");
    f(
      "oauth2: {client_id: c, client_secret: s, client_secret_file: f, token_url: t}\n",
      "sd[0].oauth2: both `client_secret` and `client_secret_file` are set at line 1",
    );
    f(
      "proxy_authorization: {credentials: x}\nproxy_basic_auth: {username: u}\n",
      "sd[0].proxy_basic_auth: cannot use both `proxy_authorization` and `proxy_basic_auth` at line 2",
    );
    f(
      "tls_config: {key: '-----BEGIN KEY-----'}\n",
      "sd[0].tls_config: missing `cert` or `cert_file` for the client key at line 1",
    );
    f(
      "oauth2: {client_id: c, client_secret: s, token_url: t, tls_config: {cert_file: c}}\n",
      "sd[0].oauth2.tls_config: missing `key` or `key_file` for the client certificate at line 1",
    );
    f("basic_auth: u:p\n", `sd[0].basic_auth: got string "u:p"; want a map at line 1`);
    f(
      "basic_auth: {username: u, pass: p}\n",
      "sd[0].basic_auth.pass: unknown field; pass -promscrape.config.strictParse=false to ignore unknown fields at line 1",
    );
    f(
      "tls_config: {insecure_skip_verify: maybe}\n",
      `sd[0].tls_config.insecure_skip_verify: got string "maybe"; want a boolean at line 1`,
    );
    f("follow_redirects: 'no'\n", `sd[0].follow_redirects: got string "no"; want a boolean at line 1`);
    f("proxy_url: '::nope'\n", `sd[0].proxy_url: cannot parse URL "::nope" at line 1`);
    f("proxy_url: http://u:pw@[x\n", `sd[0].proxy_url: cannot parse URL "http://u:<secret>@[x" at line 1`);
    f("headers: [': v']\n", `sd[0].headers[0]: empty name in header ": v"; want "Name: value" at line 1`);
  });

  test("values from plain data carry no line", () => {
    const { ctx, node } = yamlValueOf({ bearer_token: "a", bearer_token_file: "b" });
    expect(() => parseSectionHTTPClient({ ctx, node }, "p", "")).toThrow(
      new TypeError("p: both `bearer_token` and `bearer_token_file` are set"),
    );
  });
});
