/**
 * operant/pki: certificate authorities and certificates, written by operant
 * (ECDSA P-256, X.509 v3): what the webhook server's managed certificates and
 * the local control plane use.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority } from "operant/pki";
 * const ca = createCertificateAuthority("webhook-ca");
 * const serving = ca.issue({ commonName: "webhook", hosts: ["127.0.0.1"], usage: "server" });
 * ```
 * @module
 */
export { createCertificateAuthority, reloadCertificateAuthority, createServiceAccountKeys, parseCertificate, parsePrivateKey, type CertificateAuthority, type KeyPair, type LeafOptions } from "./pki.ts";
