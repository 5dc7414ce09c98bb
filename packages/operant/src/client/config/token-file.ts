// A bearer token read from a file that someone else rotates: the kubelet
// rewrites projected ServiceAccount tokens well before they expire, and a
// kubeconfig's `tokenFile` may be refreshed by an outside process. The file
// is re-read at most once per interval (default a minute, as client-go does)
// and right after invalidate(), never on every request.
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { OperantError } from "../../core/errors.ts";
import { toMillis, type Duration } from "../../core/time.ts";
import type { CredentialMaterial, Credentials } from "./cluster-config.ts";
import { SingleFlight } from "./credentials.ts";
import { describeReadError } from "./referenced-file.ts";

/**
 * Options of {@link tokenFileCredentials}.
 *
 * @example
 * ```ts
 * const options: TokenFileCredentialsOptions = { refreshInterval: "30s" };
 * ```
 */
export interface TokenFileCredentialsOptions {
  /** How long a token read from the file is used before the file is read again. Default `"1m"`. */
  refreshInterval?: Duration;
  /** Token to use while the file cannot be read (a kubeconfig user with both `token` and `tokenFile`). */
  fallbackToken?: string;
  /** Builds the error thrown when the file cannot be read and no token is known; default: `KubeconfigReferencedFileUnreadable`. */
  error?: (reason: string, cause: unknown) => OperantError;
}

/**
 * Bearer-token credentials backed by a file. The file is read once now (so a
 * missing file fails here, not on the first request), then again when the
 * refresh interval has passed or after `invalidate()`. If a later read
 * fails, the last token read stays in use and the next `get()` tries again.
 *
 * @example
 * ```ts
 * const credentials = await tokenFileCredentials("/var/run/secrets/kubernetes.io/serviceaccount/token");
 * const { authorization } = await credentials.get(); // "Bearer eyJ…"
 * ```
 */
export async function tokenFileCredentials(path: string, options: TokenFileCredentialsOptions = {}): Promise<Credentials> {
  const source = new TokenFile(path, options);
  await source.get();
  return source;
}

class TokenFile implements Credentials {
  readonly #path: string;
  readonly #intervalMs: number;
  readonly #fallback: CredentialMaterial | undefined;
  readonly #error: (reason: string, cause: unknown) => OperantError;
  readonly #flight = new SingleFlight<CredentialMaterial>();
  #material: CredentialMaterial | undefined;
  #readAt = -Infinity;

  constructor(path: string, options: TokenFileCredentialsOptions) {
    this.#path = path;
    this.#intervalMs = toMillis(options.refreshInterval ?? "1m");
    this.#fallback = options.fallbackToken ? bearer(options.fallbackToken) : undefined;
    this.#error =
      options.error ??
      ((reason, cause) => new OperantError("KubeconfigReferencedFileUnreadable", `token file ${path} ${reason}. Fix the tokenFile path in the kubeconfig (relative paths are resolved against the kubeconfig's directory) or write the token there.`, { cause }));
  }

  get(signal?: AbortSignal): Promise<CredentialMaterial> {
    if (this.#material && performance.now() - this.#readAt < this.#intervalMs) {
      return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve(this.#material);
    }
    return this.#flight.run(() => this.#refresh(), signal);
  }

  invalidate(): void {
    this.#readAt = -Infinity;
    this.#flight.reset();
  }

  async #refresh(): Promise<CredentialMaterial> {
    let text: string;
    try {
      text = (await readFile(this.#path, "utf8")).trim();
      if (!text) throw new Error("the file is empty");
    } catch (err) {
      const known = this.#material ?? this.#fallback;
      if (known) return known; // keep the last good token; retried on the next get()
      throw this.#error(describeReadError(err), err);
    }
    this.#material = bearer(text);
    this.#readAt = performance.now();
    return this.#material;
  }
}

function bearer(token: string): CredentialMaterial {
  return Object.freeze({ authorization: `Bearer ${token}` });
}
