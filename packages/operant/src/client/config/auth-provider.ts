// Legacy `auth-provider` users (oidc, azure, gcp), which kubectl itself has
// replaced by exec plugins but old kubeconfigs still carry. Each is
// @kubernetes/client-node's implementation, imported only when a kubeconfig
// user needs it (the oidc one pulls in openid-client and the client-node
// config module: about a second and tens of MB).
import type { RequestOptions } from "node:https";
import type { User } from "@kubernetes/client-node/dist/config_types.js";
import { OperantError } from "../../core/errors.ts";
import type { CredentialMaterial, Credentials } from "./cluster-config.ts";
import { SingleFlight } from "./credentials.ts";
import type { KubeconfigAuthProvider } from "./kubeconfig.ts";

interface Authenticator {
  applyAuthentication(user: User, opts: RequestOptions): Promise<void>;
}

const LOADERS: Record<string, () => Promise<new () => Authenticator>> = {
  oidc: async () => (await import("@kubernetes/client-node/dist/oidc_auth.js")).OpenIDConnectAuth,
  azure: async () => (await import("@kubernetes/client-node/dist/azure_auth.js")).AzureAuth,
  gcp: async () => (await import("@kubernetes/client-node/dist/gcp_auth.js")).GoogleCloudPlatformAuth,
};

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
 * Credentials from a legacy `auth-provider` entry, through client-node's
 * implementation (which refreshes tokens by their expiry: oidc with the
 * refresh token, azure and gcp by running `cmd-path`). `invalidate()` makes
 * azure and gcp run `cmd-path` again; for oidc it does nothing. Throws
 * `KubeconfigUnsupported` for other provider names; `get()` rejects with
 * `CredentialPluginFailed` when the provider fails or yields no token.
 *
 * @example
 * ```ts
 * const creds = await authProviderCredentials(user.authProvider, { user: "dev", origin: path });
 * ```
 */
export async function authProviderCredentials(provider: KubeconfigAuthProvider, options: { user: string; origin: string }): Promise<Credentials> {
  const load = LOADERS[provider.name];
  if (!load) {
    throw new OperantError(
      "KubeconfigUnsupported",
      `user "${options.user}" in ${options.origin} uses auth-provider "${provider.name}"; operant supports ${SUPPORTED_AUTH_PROVIDERS.join(", ")}. Switch the user to an exec credential plugin (kubectl's replacement for auth providers).`,
    );
  }
  return new AuthProvider(new (await load())(), provider, options);
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
