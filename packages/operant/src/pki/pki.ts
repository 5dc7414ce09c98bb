// Certificates for a local control plane: a CA, and leaf certificates it
// signs for servers (with their names and IPs) and for clients (user in CN,
// groups in O, as the API server's x509 authenticator reads them).
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import { bitString, bool, explicit, implicit, namedBits, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String, type Der } from "./der.ts";

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** KeyUsage bit positions (RFC 5280 §4.2.1.3). */
const KU = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/**
 * A certificate and its private key, both PEM-encoded.
 *
 * @example
 * ```ts
 * const ca = createCertificateAuthority("webhook-ca");
 * const pair: KeyPair = ca.issue({ commonName: "webhook", hosts: ["127.0.0.1"], usage: "server" });
 * await writeFile("tls.crt", pair.certPem);
 * ```
 */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

/**
 * A certificate authority able to sign leaf certificates.
 *
 * @example
 * ```ts
 * const ca: CertificateAuthority = createCertificateAuthority("test-ca");
 * const client = ca.issue({ commonName: "alice", organizations: ["system:masters"], usage: "client" });
 * ```
 */
export interface CertificateAuthority extends KeyPair {
  /** Signs a new leaf certificate. */
  issue(options: LeafOptions): KeyPair;
}

/**
 * What a leaf certificate is for and who it names.
 *
 * @example
 * ```ts
 * const server = ca.issue({ commonName: "webhook", hosts: ["webhook.my-ns.svc", "127.0.0.1"], usage: "server" } satisfies LeafOptions);
 * ```
 */
export interface LeafOptions {
  commonName: string;
  /** Organizations: for client certificates, the Kubernetes groups. */
  organizations?: string[];
  /** DNS names and IP addresses for a server certificate. */
  hosts?: string[];
  usage: "server" | "client" | "both";
  validDays?: number;
}

function name(commonName: string, organizations: string[] = []): Der {
  const rdns = organizations.map((o) => set(sequence(oid(OID.organization), utf8String(o))));
  rdns.push(set(sequence(oid(OID.commonName), utf8String(commonName))));
  return sequence(...rdns);
}

function extension(id: string, critical: boolean, value: Der): Der {
  return critical ? sequence(oid(id), bool(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: "spki", format: "der" });
}

/** Subject key identifier: SHA-1 of the subject public key bits (RFC 5280 method 1, close enough for tests). */
function keyId(publicKey: KeyObject): Buffer {
  return createHash("sha1").update(spkiDer(publicKey)).digest();
}

interface SignInput {
  subject: Der;
  issuer: Der;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  issuerKeyId: Buffer;
  extensions: Der[];
  validDays: number;
}

function signCertificate(input: SignInput): string {
  const notBefore = new Date(Date.now() - 60 * 60 * 1000); // tolerate clock skew
  const notAfter = new Date(Date.now() + input.validDays * 24 * 60 * 60 * 1000);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    algorithm,
    input.issuer,
    sequence(time(notBefore), time(notAfter)),
    input.subject,
    spkiDer(input.subjectKey),
    explicit(3, sequence(...input.extensions, extension(OID.authorityKeyId, false, sequence(implicit(0, input.issuerKeyId))))),
  );
  const signature = sign("sha256", tbs, input.issuerKey); // DER-encoded ECDSA signature
  const der = sequence(tbs, algorithm, bitString(signature));
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

function pem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/**
 * Creates a self-signed ECDSA P-256 certificate authority.
 *
 * @example
 * ```ts
 * const ca = createCertificateAuthority("operant-client-ca");
 * const admin = ca.issue({ commonName: "admin", organizations: ["system:masters"], usage: "client" });
 * ```
 */
export function createCertificateAuthority(commonName: string, validDays = 3650): CertificateAuthority {
  const { privateKey, publicKey } = newKey();
  const subject = name(commonName);
  const id = keyId(publicKey);
  const certPem = signCertificate({
    subject,
    issuer: subject,
    subjectKey: publicKey,
    issuerKey: privateKey,
    issuerKeyId: id,
    validDays,
    extensions: [
      extension(OID.basicConstraints, true, sequence(bool(true))),
      extension(OID.keyUsage, true, namedBits([KU.digitalSignature, KU.keyCertSign, KU.cRLSign])),
      extension(OID.subjectKeyId, false, octetString(id)),
    ],
  });
  return { certPem, keyPem: pem(privateKey), issue: (options) => issueLeaf(subject, privateKey, id, options) };
}

/**
 * Rebuilds a CA handle from the PEM files {@link createCertificateAuthority}
 * produced (for a control plane started by another process).
 *
 * @example
 * ```ts
 * const ca = reloadCertificateAuthority(await readFile("ca.crt", "utf8"), await readFile("ca.key", "utf8"));
 * ```
 */
export function reloadCertificateAuthority(certPem: string, keyPem: string): CertificateAuthority {
  const cert = new X509Certificate(certPem);
  const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1];
  if (!cn) throw new Error(`not an operant CA certificate (subject ${cert.subject})`);
  const privateKey = createPrivateKey(keyPem);
  const subject = name(cn);
  const id = keyId(cert.publicKey);
  return { certPem, keyPem, issue: (options) => issueLeaf(subject, privateKey, id, options) };
}

function issueLeaf(issuer: Der, issuerKey: KeyObject, issuerKeyId: Buffer, options: LeafOptions): KeyPair {
  const { privateKey, publicKey } = newKey();
  const purposes = options.usage === "both" ? [OID.serverAuth, OID.clientAuth] : [options.usage === "server" ? OID.serverAuth : OID.clientAuth];
  const extensions = [
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, namedBits([KU.digitalSignature, KU.keyEncipherment])),
    extension(OID.extKeyUsage, false, sequence(...purposes.map(oid))),
    extension(OID.subjectKeyId, false, octetString(keyId(publicKey))),
  ];
  const hosts = options.hosts ?? [];
  if (hosts.length > 0) {
    const names = hosts.map((h) => (isIP(h) ? implicit(7, ipBytes(h)) : implicit(2, Buffer.from(h, "ascii"))));
    extensions.push(extension(OID.subjectAltName, false, sequence(...names)));
  }
  const certPem = signCertificate({
    subject: name(options.commonName, options.organizations),
    issuer,
    subjectKey: publicKey,
    issuerKey,
    issuerKeyId,
    validDays: options.validDays ?? 365,
    extensions,
  });
  return { certPem, keyPem: pem(privateKey) };
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split(".").map(Number));
  // IPv6: expand "::" and write eight 16-bit groups.
  const [head = "", tail = ""] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = ip.includes("::") && tail ? tail.split(":") : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/**
 * Creates the key pair the API server signs ServiceAccount tokens with
 * (`--service-account-signing-key-file` / `--service-account-key-file`).
 *
 * @example
 * ```ts
 * const { privateKeyPem, publicKeyPem } = createServiceAccountKeys();
 * ```
 */
export function createServiceAccountKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = newKey();
  return { privateKeyPem: pem(privateKey), publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/**
 * Parses a PEM certificate (for inspection in tests and diagnostics).
 *
 * @example
 * ```ts
 * const cert = parseCertificate(pair.certPem);
 * console.log(cert.subject, cert.validTo, cert.subjectAltName);
 * ```
 */
export function parseCertificate(certPem: string): X509Certificate {
  return new X509Certificate(certPem);
}

/**
 * Loads a PEM private key.
 *
 * @example
 * ```ts
 * const key = parsePrivateKey(pair.keyPem);
 * console.log(key.asymmetricKeyType); // "ec"
 * ```
 */
export function parsePrivateKey(keyPem: string): KeyObject {
  return createPrivateKey(keyPem);
}
