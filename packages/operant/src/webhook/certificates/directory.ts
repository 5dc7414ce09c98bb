// A serving certificate from files (a mounted Secret: cert-manager's, or one
// you manage), reloaded when they change. Kubelet updates a mounted Secret by
// swapping a symlink, so the files are polled rather than watched with inotify
// (which loses track of a replaced directory); a pair that does not parse or
// whose key does not match is ignored until the next change.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { OperantError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import type { KeyPair } from "../../pki/pki.ts";
import type { CertificateSource } from "./source.ts";

/**
 * Options of {@link CertificateDirectory}.
 *
 * @example
 * ```ts
 * const certificates = new CertificateDirectory({ directory: "/tmp/k8s-webhook-server/serving-certs" } satisfies CertificateDirectoryOptions);
 * ```
 */
export interface CertificateDirectoryOptions {
  /** The directory (default file names `tls.crt` and `tls.key`, as in a `kubernetes.io/tls` Secret). */
  directory: string;
  certFile?: string;
  keyFile?: string;
  /** How often to look for changes (default 10 s). */
  pollIntervalMs?: number;
  logger?: Logger;
}

/** Reads and checks a pair: the certificate parses, and the key belongs to it. */
async function readPair(certPath: string, keyPath: string): Promise<KeyPair> {
  const [certPem, keyPem] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")]);
  const cert = new X509Certificate(certPem);
  if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error(`the key in ${keyPath} does not belong to the certificate in ${certPath}`);
  return { certPem, keyPem };
}

/**
 * Serving certificate files from a directory, reloaded when they change.
 *
 * @example
 * ```ts
 * // The Deployment mounts the cert-manager Secret "webhook-server-cert" at /tmp/k8s-webhook-server/serving-certs.
 * const certificates = new CertificateDirectory({ directory: "/tmp/k8s-webhook-server/serving-certs" });
 * ```
 */
export class CertificateDirectory implements CertificateSource {
  readonly #options: CertificateDirectoryOptions;
  readonly #listeners = new Set<(pair: KeyPair) => void>();
  #current: KeyPair | undefined;

  constructor(options: CertificateDirectoryOptions) {
    this.#options = options;
  }

  get #paths(): [string, string] {
    return [join(this.#options.directory, this.#options.certFile ?? "tls.crt"), join(this.#options.directory, this.#options.keyFile ?? "tls.key")];
  }

  /**
   * @throws OperantError `CertificateUnavailable` when the files are missing, do not parse, or do not match
   */
  async start(signal: AbortSignal): Promise<KeyPair> {
    const [certPath, keyPath] = this.#paths;
    try {
      this.#current = await readPair(certPath, keyPath);
    } catch (err) {
      throw new OperantError("CertificateUnavailable", `cannot load the webhook serving certificate from ${certPath} and ${keyPath}: ${(err as Error).message}. Mount the Secret there (cert-manager's Certificate writes tls.crt and tls.key) or pass another directory.`, { cause: err });
    }
    const log = (this.#options.logger ?? silentLogger).child({ component: "webhook-certificates" });
    const timer = setInterval(() => {
      void readPair(certPath, keyPath).then(
        (next) => {
          if (next.certPem === this.#current?.certPem && next.keyPem === this.#current.keyPem) return;
          this.#current = next;
          log.info({ directory: this.#options.directory }, "serving certificate reloaded");
          for (const l of this.#listeners) l(next);
        },
        (err: unknown) => log.warn({ err: (err as Error).message }, "serving certificate files unreadable; keeping the current certificate"),
      );
    }, this.#options.pollIntervalMs ?? 10_000);
    timer.unref();
    signal.addEventListener("abort", () => clearInterval(timer), { once: true });
    return this.#current;
  }

  subscribe(listener: (pair: KeyPair) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
