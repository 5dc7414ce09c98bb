// Legacy `auth-provider` users (oidc, azure, gcp), which kubectl itself has
// replaced by exec plugins but old kubeconfigs still carry. oidc is
// @kubernetes/client-node's implementation, imported only when a kubeconfig
// user needs it (it pulls in openid-client and the client-node config module:
// about a second and tens of MB). gcp and azure keep a token in the entry and
// refresh it by running `cmd-path`: that is done here, without a shell and off
// the event loop (client-node runs it with execSync through a shell, which
// blocks every timer, lease renewals included, for as long as it runs).
import type { RequestOptions } from "node:https";
import type { User } from "@kubernetes/client-node/dist/config_types.js";
import type * as OidcModule from "@kubernetes/client-node/dist/oidc_auth.js";
import { OperantError } from "../../core/errors.ts";
import type { CredentialMaterial, Credentials } from "./cluster-config.ts";
import { DEFAULT_CREDENTIAL_PLUGIN_TIMEOUT_MS, runCredentialCommand } from "./credential-command.ts";
import { SingleFlight } from "./credentials.ts";
import type { KubeconfigAuthProvider } from "./kubeconfig.ts";

interface Authenticator {
  applyAuthentication(user: User, opts: RequestOptions): Promise<void>;
}

/** Options of {@link authProviderCredentials}. */
interface AuthProviderOptions {
  user: string;
  origin: string;
  /** Variables `cmd-path` gets on top of this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** How long one run of `cmd-path` may take before it is killed (default 60 s; 0: no limit). */
  timeoutMs?: number;
}

const LOADERS: Record<string, (provider: KubeconfigAuthProvider, options: AuthProviderOptions) => Promise<Credentials>> = {
  oidc: async (provider, options) => new AuthProvider(new (await importOidc(options.user)).OpenIDConnectAuth(), provider, options),
  azure: (provider, options) => Promise.resolve(new CmdPathProvider(provider, options)),
  gcp: (provider, options) => Promise.resolve(new CmdPathProvider(provider, options)),
};

/** client-node's oidc module; a bundled operator (`operant build`) leaves client-node out, since in a cluster nothing uses it. */
async function importOidc(user: string): Promise<typeof OidcModule> {
  try {
    return await import("@kubernetes/client-node/dist/oidc_auth.js");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw err;
    throw new OperantError("KubeconfigUnsupported", `user ${user} authenticates with the legacy oidc auth-provider, which needs the package @kubernetes/client-node, and this operator was bundled without it (operant build leaves it out: nothing in a cluster uses it). Run the operator from its project (npm start), or switch the kubeconfig to an exec plugin such as kubectl oidc-login.`, { cause: err });
  }
}

/**
 * The `auth-provider` names operant supports.
 *
 * @example
 * ```ts
 * if (!SUPPORTED_AUTH_PROVIDERS.includes(name)) console.warn(`${name} is not supported`);
 * ```
 */
export const SUPPORTED_AUTH_PROVIDERS: readonly string[] = Object.keys(LOADERS);

/**
 * Credentials from a legacy `auth-provider` entry. Tokens are refreshed by
 * their expiry: oidc with the refresh token (client-node's implementation),
 * azure and gcp by running `cmd-path` with `cmd-args` (split on spaces, no
 * shell, stdin closed, killed after `timeoutMs`, default 60 s) and reading
 * `token-key` / `expiry-key` (default `{.access_token}` / `{.token_expiry}`)
 * from its JSON output. `invalidate()` makes azure and gcp run `cmd-path`
 * again; for oidc it does nothing. Throws
 * `KubeconfigUnsupported` for other provider names; `get()` rejects with
 * `CredentialPluginFailed` when the provider fails or yields no token.
 *
 * @example
 * ```ts
 * const creds = await authProviderCredentials(user.authProvider, { user: "dev", origin: path });
 * ```
 */
export async function authProviderCredentials(provider: KubeconfigAuthProvider, options: AuthProviderOptions): Promise<Credentials> {
  const load = LOADERS[provider.name];
  if (!load) {
    throw new OperantError(
      "KubeconfigUnsupported",
      `user "${options.user}" in ${options.origin} uses auth-provider "${provider.name}"; operant supports ${SUPPORTED_AUTH_PROVIDERS.join(", ")}. Switch the user to an exec credential plugin (kubectl's replacement for auth providers).`,
    );
  }
  return load(provider, options);
}

class AuthProvider implements Credentials {
  readonly #auth: Authenticator;
  readonly #provider: KubeconfigAuthProvider;
  readonly #options: { user: string; origin: string };
  // client-node keeps refreshed tokens in the user's config object: give it a copy of ours.
  readonly #user: User;
  readonly #config: Record<string, string>;
  readonly #flight = new SingleFlight<CredentialMaterial>();

  constructor(auth: Authenticator, provider: KubeconfigAuthProvider, options: { user: string; origin: string }) {
    this.#auth = auth;
    this.#provider = provider;
    this.#options = options;
    this.#config = { ...provider.config };
    this.#user = { name: options.user, authProvider: { name: provider.name, config: this.#config } };
  }

  get(signal?: AbortSignal): Promise<CredentialMaterial> {
    return this.#flight.run(() => this.#fetch(), signal);
  }

  invalidate(): void {
    if (this.#config["cmd-path"]) delete this.#config["access-token"]; // azure/gcp: forces a fresh token from cmd-path
    this.#flight.reset();
  }

  async #fetch(): Promise<CredentialMaterial> {
    const opts: { headers: Record<string, string> } = { headers: {} };
    try {
      await this.#auth.applyAuthentication(this.#user, opts);
    } catch (err) {
      throw this.#failed(`failed: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    const authorization = opts.headers.Authorization;
    if (!authorization) throw this.#failed("yielded no token (is id-token / access-token set, or a way to refresh it?)");
    return { authorization };
  }

  #failed(what: string, cause?: unknown): OperantError {
    return new OperantError(
      "CredentialPluginFailed",
      `auth-provider "${this.#provider.name}" of user "${this.#options.user}" (${this.#options.origin}) ${what}. Log in again with the tool that wrote this kubeconfig, or move the user to an exec credential plugin.`,
      { cause, retryable: true },
    );
  }
}

/** gcp and azure: an access token in the entry, refreshed by running `cmd-path`. */
class CmdPathProvider implements Credentials {
  readonly #provider: KubeconfigAuthProvider;
  readonly #options: AuthProviderOptions;
  readonly #config: Record<string, string>;
  readonly #flight = new SingleFlight<CredentialMaterial>();

  constructor(provider: KubeconfigAuthProvider, options: AuthProviderOptions) {
    this.#provider = provider;
    this.#options = options;
    this.#config = { ...provider.config };
  }

  get(signal?: AbortSignal): Promise<CredentialMaterial> {
    const token = this.#config["access-token"];
    if (token && !this.#expired()) return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve({ authorization: `Bearer ${token}` });
    return this.#flight.run(() => this.#refresh(), signal);
  }

  invalidate(): void {
    if (this.#config["cmd-path"]) delete this.#config["access-token"];
    this.#flight.reset();
  }

  #expired(): boolean {
    const { expiry, "expires-on": expiresOn } = this.#config;
    const at = expiry ? Date.parse(expiry) : expiresOn ? Number(expiresOn) * 1000 : NaN;
    return !Number.isNaN(at) && at <= Date.now();
  }

  async #refresh(): Promise<CredentialMaterial> {
    const cmd = this.#config["cmd-path"];
    if (!cmd) throw this.#failed(this.#config["access-token"] ? "has an expired access-token and no cmd-path to refresh it" : "yielded no token (is access-token set, or cmd-path to get one?)");
    const args = (this.#config["cmd-args"] ?? "").split(/\s+/).filter((a) => a !== "");
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_CREDENTIAL_PLUGIN_TIMEOUT_MS;
    let outcome;
    try {
      outcome = await runCredentialCommand(cmd, args, { env: { ...process.env, ...this.#options.env }, timeoutMs, interactive: false });
    } catch (err) {
      throw this.#failed(`could not run cmd-path ${cmd}: ${(err as Error).message}`, err);
    }
    const stderr = outcome.stderr.trim();
    if (outcome.kind === "timedOut") {
      throw new OperantError(
        "CredentialPluginTimeout",
        `auth-provider "${this.#provider.name}" of user "${this.#options.user}" (${this.#options.origin}): cmd-path ${cmd} did not finish within ${timeoutMs / 1000} s and was killed${stderr ? `; it printed on stderr:\n${stderr.slice(-4000)}` : ""}\nRun it by hand to log in, or raise the timeout (credentialPluginTimeoutMs) if it is only slow.`,
        { retryable: true },
      );
    }
    if (outcome.kind !== "exited" || outcome.code !== 0) {
      const how = outcome.kind === "exited" ? `exit code ${outcome.code}` : outcome.kind === "signalled" ? outcome.signal : "more than 1 MiB of output";
      throw this.#failed(`failed: cmd-path ${cmd} ended with ${how}${stderr ? `:\n${stderr.slice(-4000)}` : ""}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(outcome.stdout);
    } catch (err) {
      throw this.#failed(`failed: cmd-path ${cmd} printed something that is not JSON (${(err as Error).message})`, err);
    }
    const tokenKey = this.#config["token-key"] || "{.access_token}";
    const token = jsonPathValue(doc, tokenKey);
    if (typeof token !== "string" || token === "") throw this.#failed(`failed: the output of cmd-path ${cmd} has no string at token-key ${tokenKey}`);
    const expiry = jsonPathValue(doc, this.#config["expiry-key"] || "{.token_expiry}");
    this.#config["access-token"] = token;
    delete this.#config["expires-on"];
    if (typeof expiry === "string" && expiry) this.#config.expiry = expiry;
    else delete this.#config.expiry;
    return { authorization: `Bearer ${token}` };
  }

  #failed(what: string, cause?: unknown): OperantError {
    return new OperantError(
      "CredentialPluginFailed",
      `auth-provider "${this.#provider.name}" of user "${this.#options.user}" (${this.#options.origin}) ${what}. Log in again with the tool that wrote this kubeconfig, or move the user to an exec credential plugin.`,
      { cause, retryable: true },
    );
  }
}

/** The value at a kubectl JSONPath of the simple form `{.a.b.c}` (what token-key and expiry-key hold), or undefined. */
function jsonPathValue(doc: unknown, path: string): unknown {
  const m = /^\{\s*\.?(.*?)\s*\}$/.exec(path.trim());
  const keys = (m ? m[1]! : path.trim().replace(/^\$?\.?/, "")).split(".").filter((k) => k !== "");
  let at: unknown = doc;
  for (const k of keys) {
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, k)) return undefined;
    at = (at as Record<string, unknown>)[k];
  }
  return at;
}
