import { expect, test } from "bun:test";
import { type AuthConfig, NO_AUTH } from "./config.ts";
import { type AuthProblem, checkAuth } from "./validate.ts";

test("checkAuth() applies vmagent's rules in its order and names options through the namer", () => {
  const flagName = (o: string) =>
    ({
      basic_auth: "-remoteWrite.basicAuth.*",
      "basic_auth.username": "-remoteWrite.basicAuth.username",
      bearer_token: "-remoteWrite.bearerToken",
    })[o] ?? o;
  const f = (a: Partial<AuthConfig>, want: AuthProblem | null) =>
    expect(checkAuth({ ...NO_AUTH, ...a }, flagName)).toEqual(want);
  const basic = (username: string, password: string | null = null) => ({
    username,
    usernameFile: null,
    password,
    passwordFile: null,
  });
  f({}, null);
  f({ basicAuth: basic("u", "p") }, null);
  f({ basicAuth: basic("", "p") }, {
    key: "basic_auth",
    onKey: true,
    message: "missing `-remoteWrite.basicAuth.username`",
  });
  f({ basicAuth: { ...basic("u", ""), passwordFile: "/pw" } }, null);
  f({ basicAuth: { ...basic("u", "p"), passwordFile: "/pw" } }, {
    key: "basic_auth",
    onKey: true,
    message: "both `basic_auth.password` and `basic_auth.password_file` are set",
  });
  f({ basicAuth: basic("u"), bearerToken: "t" }, {
    key: "bearer_token",
    onKey: true,
    message: "cannot be used together with `authorization` or `-remoteWrite.basicAuth.*`",
  });
  f({ bearerToken: "t", bearerTokenFile: "/t" }, {
    key: "bearer_token",
    onKey: false,
    message: "both `-remoteWrite.bearerToken` and `bearer_token_file` are set",
  });
  f({ authorization: { type: "Bearer", credentials: "", credentialsFile: "/c" } }, null);
  f({ authorization: { type: "Bearer", credentials: "c", credentialsFile: "/c" } }, {
    key: "authorization",
    onKey: true,
    message: "both `authorization.credentials` and `authorization.credentials_file` are set",
  });
  const oauth2 = {
    clientId: "id",
    clientSecret: "s",
    clientSecretFile: null,
    scopes: [],
    tokenURL: "https://t",
    endpointParams: [],
    tls: null,
    proxyURL: null,
    headers: [],
  };
  f({ oauth2 }, null);
  f({ oauth2: { ...oauth2, tokenURL: "" } }, { key: "oauth2", onKey: true, message: "missing `oauth2.token_url`" });
  f({ oauth2, bearerTokenFile: "/t" }, {
    key: "oauth2",
    onKey: true,
    message: "cannot be used together with `authorization`, `-remoteWrite.basicAuth.*` or `-remoteWrite.bearerToken`",
  });
});
