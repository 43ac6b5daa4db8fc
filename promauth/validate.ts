/**
 * vmagent's rules for the credentials of one peer (lib/promauth
 * `Options.NewConfig`): the four ways to authenticate exclude each other,
 * and each section must be complete. One function for every source: the
 * YAML parser (./parse.ts) reports a problem at the offending node, the
 * remote-write flags name the flag.
 *
 * @module
 */

import type { AuthConfig, OAuth2Config } from "./config.ts";

/** The first rule an {@linkcode AuthConfig} breaks. */
export interface AuthProblem {
  /** The option the problem is reported at: "authorization", "basic_auth", "bearer_token", "bearer_token_file" or "oauth2". */
  readonly key: string;
  /**
   * True when the message is about `key` itself (`basic_auth: missing …`),
   * false when it is about the section holding it (`…: both bearer_token and …`).
   */
  readonly onKey: boolean;
  readonly message: string;
}

/**
 * How messages name an option: `"basic_auth"` or `"basic_auth.username"` →
 * the YAML key as written (`proxy_basic_auth`, `username`) or a flag name.
 */
export type OptionNamer = (option: string) => string;

/** Returns the first broken rule, in vmagent's order, or null. */
export function checkAuth(a: AuthConfig, name: OptionNamer): AuthProblem | null {
  const q = (option: string): string => `\`${name(option)}\``;
  const on = (key: string, message: string): AuthProblem => ({ key, onKey: true, message });
  const az = a.authorization;
  if (az !== null && nonEmpty(az.credentials) && az.credentialsFile !== null) {
    return on(
      "authorization",
      `both ${q("authorization.credentials")} and ${q("authorization.credentials_file")} are set`,
    );
  }
  const ba = a.basicAuth;
  if (ba !== null) {
    if (ba.username === "" && ba.usernameFile === null) return on("basic_auth", `missing ${q("basic_auth.username")}`);
    if (ba.username !== "" && ba.usernameFile !== null) {
      return on("basic_auth", `both ${q("basic_auth.username")} and ${q("basic_auth.username_file")} are set`);
    }
    if (nonEmpty(ba.password) && ba.passwordFile !== null) {
      return on("basic_auth", `both ${q("basic_auth.password")} and ${q("basic_auth.password_file")} are set`);
    }
    if (az !== null) return on("basic_auth", `cannot use both ${q("authorization")} and ${q("basic_auth")}`);
  }
  const bearer = a.bearerToken !== null || a.bearerTokenFile !== null;
  if (bearer) {
    const key = a.bearerToken !== null ? "bearer_token" : "bearer_token_file";
    if (a.bearerToken !== null && a.bearerTokenFile !== null) {
      return { key, onKey: false, message: `both ${q("bearer_token")} and ${q("bearer_token_file")} are set` };
    }
    if (az !== null || ba !== null) {
      return on(key, `cannot be used together with ${q("authorization")} or ${q("basic_auth")}`);
    }
  }
  if (a.oauth2 !== null) {
    if (az !== null || ba !== null || bearer) {
      return on(
        "oauth2",
        `cannot be used together with ${q("authorization")}, ${q("basic_auth")} or ${q("bearer_token")}`,
      );
    }
    const m = oauth2Problem(a.oauth2, (k) => q(`oauth2.${k}`));
    if (m !== null) return on("oauth2", m);
  }
  return null;
}

function oauth2Problem(o: OAuth2Config, q: (k: string) => string): string | null {
  const hasSecret = nonEmpty(o.clientSecret);
  const hasFile = o.clientSecretFile !== null;
  if (o.clientId === "") return `missing ${q("client_id")}`;
  if (!hasSecret && !hasFile) return `missing ${q("client_secret")} or ${q("client_secret_file")}`;
  if (hasSecret && hasFile) return `both ${q("client_secret")} and ${q("client_secret_file")} are set`;
  if (o.tokenURL === "") return `missing ${q("token_url")}`;
  return null;
}

function nonEmpty(s: string | null): boolean {
  return s !== null && s !== "";
}
