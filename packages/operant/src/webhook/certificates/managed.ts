// Certificates operant makes and keeps: a CA and a serving certificate in one
// Secret shared by every replica, the CA bundle injected into the webhook
// configurations and the CRDs' conversion webhooks, the serving certificate
// renewed before it expires. Replicas race safely: the Secret is created once
// (AlreadyExists → read theirs) and updated with its resourceVersion
// (Conflict → read again); each replica polls the Secret and swaps to what it
// holds, and every certificate the Secret ever held for the current CA stays
// valid until its own expiry, so no replica serves an untrusted certificate.
import { X509Certificate } from "node:crypto";
import type { Client } from "../../client/client.ts";
import { isOperantError, OperantError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import { CustomResourceDefinition, MutatingWebhookConfiguration, Secret, ValidatingWebhookConfiguration } from "../../kinds/index.ts";
import { createCertificateAuthority, reloadCertificateAuthority, type KeyPair } from "../../pki/pki.ts";
import type { CertificateSource } from "./source.ts";

/**
 * Options of {@link ManagedCertificates}.
 *
 * @example
 * ```ts
 * const certificates = new ManagedCertificates({ client, namespace: "memcached-system", secretName: "memcached-operator-webhook-cert", hosts: serviceHosts("memcached-operator-webhook", "memcached-system") } satisfies ManagedCertificatesOptions);
 * ```
 */
export interface ManagedCertificatesOptions {
  client: Client;
  /** Namespace of the Secret (the operator's). */
  namespace: string;
  /** The Secret holding `ca.crt`, `ca.key`, `tls.crt`, `tls.key` (created when missing). */
  secretName: string;
  /**
   * Names in the serving certificate. For a Service `svc` in namespace `ns`:
   * `svc.ns.svc` and `svc.ns.svc.cluster.local` (what {@link serviceHosts} returns).
   */
  hosts: readonly string[];
  /** Webhook configurations and CRDs (by name) whose `caBundle` to keep set to this CA. */
  inject?: { validating?: readonly string[]; mutating?: readonly string[]; crds?: readonly string[] };
  /** Lifetime of the CA, in days (default 3650). */
  caValidDays?: number;
  /** Lifetime of the serving certificate, in days (default 90; fractions allowed). */
  certValidDays?: number;
  /** Renew the serving certificate when less than this fraction of its lifetime is left (default 1/3). */
  renewBeforeFraction?: number;
  /** How often to read the Secret (for rotations by other replicas) and check expiry (default 60 s). */
  checkIntervalMs?: number;
  /**
   * The wall clock (ms since the epoch) against which the CA's and the serving
   * certificate's remaining lifetimes are judged (default `Date.now`). Tests
   * move it forward to make a CA due for replacement without waiting years.
   */
  now?: () => number;
  logger?: Logger;
}

/**
 * The DNS names of a Service, for a serving certificate.
 *
 * @example
 * ```ts
 * serviceHosts("memcached-operator-webhook", "memcached-operator-system")
 * // ["memcached-operator-webhook.memcached-operator-system.svc", "memcached-operator-webhook.memcached-operator-system.svc.cluster.local"]
 * ```
 */
export function serviceHosts(service: string, namespace: string): string[] {
  return [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

interface Stored {
  caPem: string;
  caKeyPem: string;
  pair: KeyPair;
  resourceVersion: string | undefined;
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined): string => Buffer.from(s ?? "", "base64").toString("utf8");

/**
 * Whether a serving certificate must be renewed at `now`: it does not parse,
 * lacks one of `hosts`, was not signed by `caPem`, or has less than
 * `fraction` of its lifetime left.
 *
 * @example
 * ```ts
 * if (needsRenewal(pair.certPem, caPem, hosts, 1 / 3, new Date())) renew();
 * ```
 */
export function needsRenewal(certPem: string, caPem: string, hosts: readonly string[], fraction: number, now: Date): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(first(caPem));
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return true;
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (to - now.getTime() < (to - from) * fraction) return true;
    return !hosts.every((h) => cert.checkHost(h) !== undefined || cert.checkIP(h) !== undefined);
  } catch {
    return true;
  }
}

/**
 * Serving certificates operant generates, keeps in a Secret and renews, with
 * the CA bundle injected where the API server needs it. Give the same options
 * to every replica: they share the Secret.
 *
 * @example
 * ```ts
 * const certificates = new ManagedCertificates({
 *   client, namespace: "memcached-operator-system", secretName: "memcached-operator-webhook-cert",
 *   hosts: serviceHosts("memcached-operator-webhook", "memcached-operator-system"),
 *   inject: { validating: ["memcached-operator-validating"], mutating: ["memcached-operator-mutating"], crds: ["memcacheds.cache.example.com"] },
 * });
 * manager.add(new WebhookServer({ webhooks, certificates, bindAddress: ":9443" }));
 * ```
 */
export class ManagedCertificates implements CertificateSource {
  readonly #o: ManagedCertificatesOptions;
  readonly #listeners = new Set<(pair: KeyPair) => void>();
  readonly #log: Logger;
  #current: Stored | undefined;

  constructor(options: ManagedCertificatesOptions) {
    if (options.hosts.length === 0) throw new OperantError("InvalidArgument", "ManagedCertificates needs at least one host for the serving certificate: pass serviceHosts(<service>, <namespace>).");
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ component: "webhook-certificates", secret: `${options.namespace}/${options.secretName}` });
  }

  /** The CA bundle (PEM) the API server must trust, once started. */
  get caBundle(): string | undefined {
    return this.#current?.caPem;
  }

  /**
   * Reads (or creates) the Secret, renews what needs renewing, injects the CA bundle, and keeps doing so until `signal` aborts.
   *
   * @throws OperantError `CertificateUnavailable` when the Secret cannot be read or written (RBAC: get, create, update on secrets)
   */
  async start(signal: AbortSignal): Promise<KeyPair> {
    try {
      await this.#sync(signal);
    } catch (err) {
      throw new OperantError("CertificateUnavailable", `cannot set up the webhook certificate in Secret ${this.#o.namespace}/${this.#o.secretName}: ${(err as Error).message}. The operator needs get, create and update on secrets in ${this.#o.namespace}, and update on the webhook configurations and CRDs it injects the CA bundle into.`, { cause: err, retryable: true });
    }
    const timer = setInterval(() => {
      void this.#sync(signal).catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, "checking the webhook certificate failed; will retry"));
    }, this.#o.checkIntervalMs ?? 60_000);
    timer.unref();
    signal.addEventListener("abort", () => clearInterval(timer), { once: true });
    return this.#current!.pair;
  }

  subscribe(listener: (pair: KeyPair) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Issues a new serving certificate now (whatever its expiry), stores it and serves it. */
  async rotate(signal?: AbortSignal): Promise<KeyPair> {
    await this.#sync(signal, true);
    return this.#current!.pair;
  }

  async #read(signal: AbortSignal | undefined): Promise<Stored | undefined> {
    const s = await this.#o.client.tryGet(Secret, { namespace: this.#o.namespace, name: this.#o.secretName }, { signal });
    if (!s) return undefined;
    const d = s.data ?? {};
    return { caPem: unb64(d["ca.crt"]), caKeyPem: unb64(d["ca.key"]), pair: { certPem: unb64(d["tls.crt"]), keyPem: unb64(d["tls.key"]) }, resourceVersion: s.metadata?.resourceVersion };
  }

  #issue(caPem: string, caKeyPem: string): KeyPair {
    const ca = reloadCertificateAuthority(first(caPem), caKeyPem);
    return ca.issue({ commonName: this.#o.hosts[0]!, hosts: [...this.#o.hosts], usage: "server", validDays: this.#o.certValidDays ?? 90 });
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  #caUsable(caPem: string, caKeyPem: string): boolean {
    try {
      const ca = new X509Certificate(first(caPem));
      reloadCertificateAuthority(first(caPem), caKeyPem);
      return Date.parse(ca.validTo) - this.#now() > (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / 3;
    } catch {
      return false;
    }
  }

  async #sync(signal: AbortSignal | undefined, force = false): Promise<void> {
    const fraction = this.#o.renewBeforeFraction ?? 1 / 3;
    let forced = force;
    let renewed = false; // at most one renewal per sync, whatever the certificate's lifetime
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10) throw new OperantError("CertificateUnavailable", `the Secret ${this.#o.namespace}/${this.#o.secretName} kept changing under this replica (10 attempts): is another program rewriting it?`, { retryable: true });
      const stored = await this.#read(signal);
      let next = stored;
      if (!stored || (!renewed && !this.#caUsable(stored.caPem, stored.caKeyPem))) {
        // A new CA (the old one, if any, stays in the bundle until it expires: certificates it signed remain trusted).
        const ca = createCertificateAuthority(`${this.#o.secretName}-ca`, this.#o.caValidDays ?? 3650);
        const old = stored ? unexpired(stored.caPem, this.#now()) : "";
        next = { caPem: ca.certPem + old, caKeyPem: ca.keyPem, pair: this.#issue(ca.certPem, ca.keyPem), resourceVersion: stored?.resourceVersion };
      } else if (!renewed && (forced || needsRenewal(stored.pair.certPem, stored.caPem, this.#o.hosts, fraction, new Date(this.#now())))) {
        next = { ...stored, pair: this.#issue(stored.caPem, stored.caKeyPem) };
      }
      if (next !== stored || !stored) {
        // Trust first: the bundle is injected before any replica can serve a certificate signed by a new CA.
        await this.#inject(next!.caPem, signal);
        try {
          await this.#write(next!, stored === undefined, signal);
          this.#log.info({ expires: new X509Certificate(next!.pair.certPem).validTo }, stored ? "webhook serving certificate renewed" : "webhook CA and serving certificate created");
        } catch (err) {
          if (attempt < 5 && isOperantError(err, "Conflict", "AlreadyExists")) {
            forced = false; // another replica wrote first: take what it wrote
            continue;
          }
          throw err;
        }
        forced = false; // renewed: what is read back is the new certificate
        renewed = true;
        continue; // read back what was stored (resourceVersion, and a concurrent writer's content)
      }
      await this.#inject(stored.caPem, signal);
      const changed = this.#current?.pair.certPem !== stored.pair.certPem;
      this.#current = stored;
      if (changed) for (const l of this.#listeners) l(stored.pair);
      return;
    }
  }

  async #write(s: Stored, create: boolean, signal: AbortSignal | undefined): Promise<void> {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name: this.#o.secretName, namespace: this.#o.namespace, labels: { "app.kubernetes.io/managed-by": "operant" }, ...(s.resourceVersion ? { resourceVersion: s.resourceVersion } : {}) },
      data: { "ca.crt": b64(s.caPem), "ca.key": b64(s.caKeyPem), "tls.crt": b64(s.pair.certPem), "tls.key": b64(s.pair.keyPem) },
    };
    if (create) await this.#o.client.create(Secret, secret, { signal });
    else await this.#o.client.update(Secret, secret, { signal });
  }

  async #inject(caPem: string, signal: AbortSignal | undefined): Promise<void> {
    const bundle = b64(caPem);
    const inject = this.#o.inject ?? {};
    for (const [kind, names] of [
      [ValidatingWebhookConfiguration, inject.validating ?? []],
      [MutatingWebhookConfiguration, inject.mutating ?? []],
    ] as const) {
      for (const name of names) {
        await this.#retryConflicts(async () => {
          const cfg = await this.#o.client.tryGet(kind, { name }, { signal });
          if (!cfg) return this.#log.warn({ kind: kind.kind, name }, "webhook configuration to inject the CA bundle into does not exist (yet)");
          const webhooks = cfg.webhooks ?? [];
          if (webhooks.every((w) => w.clientConfig.caBundle === bundle)) return;
          for (const w of webhooks) w.clientConfig.caBundle = bundle;
          await this.#o.client.update(kind, { ...cfg, webhooks }, { signal });
        });
      }
    }
    for (const name of inject.crds ?? []) {
      await this.#retryConflicts(async () => {
        const crd = await this.#o.client.tryGet(CustomResourceDefinition, { name }, { signal });
        const webhook = crd?.spec.conversion?.webhook;
        if (!crd || crd.spec.conversion?.strategy !== "Webhook" || !webhook?.clientConfig) return;
        if (webhook.clientConfig.caBundle === bundle) return;
        webhook.clientConfig.caBundle = bundle;
        await this.#o.client.update(CustomResourceDefinition, crd, { signal });
      });
    }
  }

  async #retryConflicts(fn: () => Promise<void>): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (err) {
        if (i < 5 && isOperantError(err, "Conflict")) continue;
        throw err;
      }
    }
  }
}

/** The certificates of a PEM bundle, in order. */
function pems(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g) ?? [];
}

/** The first certificate of a bundle (the CA that signs). */
function first(bundle: string): string {
  return pems(bundle)[0] ?? bundle;
}

/** The certificates of a bundle that have not expired, concatenated. */
function unexpired(bundle: string, now: number): string {
  return pems(bundle)
    .filter((p) => {
      try {
        return Date.parse(new X509Certificate(p).validTo) > now;
      } catch {
        return false;
      }
    })
    .map((p) => (p.endsWith("\n") ? p : `${p}\n`))
    .join("");
}
