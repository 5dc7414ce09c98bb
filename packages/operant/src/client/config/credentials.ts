// Credential sources that need no refresh, and the one piece every refreshing
// source shares: a single in-flight refresh that callers can stop waiting for.
import { abortable } from "../../core/time.ts";
import type { CredentialMaterial, Credentials } from "./cluster-config.ts";

/**
 * Credentials that never change: a static token, basic auth, or nothing
 * (anonymous). `invalidate()` does nothing.
 *
 * @example
 * ```ts
 * const config: ClusterConfig = { server, tls: { ca }, credentials: staticCredentials({ authorization: `Bearer ${token}` }), namespace: "default", source: "test" };
 * ```
 */
export function staticCredentials(material: CredentialMaterial = {}): Credentials {
  const frozen = Object.freeze({ ...material });
  const resolved = Promise.resolve(frozen);
  return {
    get: (signal?: AbortSignal) => (signal?.aborted ? Promise.reject(signal.reason as Error) : resolved),
    invalidate: () => {},
  };
}

/**
 * Shares one running refresh among concurrent callers; each caller can stop
 * waiting through its own signal without cancelling the refresh for others.
 * `reset()` forgets the running refresh, so the next `run()` starts afresh.
 *
 * @example
 * ```ts
 * const flight = new SingleFlight<string>();
 * const token = await flight.run(() => readFile(path, "utf8"), signal);
 * ```
 */
export class SingleFlight<T> {
  #pending: Promise<T> | undefined;

  run(start: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    let p = this.#pending;
    if (!p) {
      const started = start();
      p = started;
      this.#pending = started;
      const clear = () => {
        if (this.#pending === started) this.#pending = undefined;
      };
      started.then(clear, clear);
    }
    return signal ? abortable(p, signal) : p;
  }

  reset(): void {
    this.#pending = undefined;
  }
}
