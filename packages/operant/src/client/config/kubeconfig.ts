// The kubeconfig file format: parse one document into typed entries (with
// relative paths resolved against the file's directory, as kubectl does) and
// merge several the way kubectl merges a KUBECONFIG list.
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { OperantError } from "../../core/errors.ts";

/**
 * A `clusters[].cluster` entry. File paths are absolute.
 *
 * @example
 * ```ts
 * const c: KubeconfigCluster = { server: "https://127.0.0.1:6443", certificateAuthority: "/home/x/.kube/ca.crt", insecureSkipTlsVerify: false };
 * ```
 */
export interface KubeconfigCluster {
  server?: string;
  certificateAuthority?: string;
  /** Base64 of a PEM bundle, as written in the file. */
  certificateAuthorityData?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  /** The `client.authentication.k8s.io/exec` cluster extension, handed to exec plugins that ask for cluster info. */
  execExtension?: unknown;
}

/**
 * A `users[].user.exec` entry: a credential plugin to run.
 *
 * @example
 * ```ts
 * const e: KubeconfigExec = { apiVersion: "client.authentication.k8s.io/v1", command: "aws", args: ["eks", "get-token"], env: [], provideClusterInfo: false };
 * ```
 */
export interface KubeconfigExec {
  apiVersion?: string;
  /** Program to run; absolute when the file gave a relative path containing a separator, else looked up on PATH. */
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  installHint?: string;
  provideClusterInfo: boolean;
  interactiveMode?: string;
}

/**
 * A legacy `users[].user.auth-provider` entry (`oidc`, `azure`, `gcp`).
 *
 * @example
 * ```ts
 * const a: KubeconfigAuthProvider = { name: "oidc", config: { "id-token": "eyJ…", "idp-issuer-url": "https://issuer" } };
 * ```
 */
export interface KubeconfigAuthProvider {
  name: string;
  config: Record<string, string>;
}

/**
 * A `users[].user` entry. File paths are absolute.
 *
 * @example
 * ```ts
 * const u: KubeconfigUser = { token: "abc", impersonation: [] };
 * ```
 */
export interface KubeconfigUser {
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: KubeconfigExec;
  authProvider?: KubeconfigAuthProvider;
  /** The impersonation keys present (`as`, `as-groups`, …), which operant does not support. */
  impersonation: string[];
}

/**
 * A `contexts[].context` entry.
 *
 * @example
 * ```ts
 * const c: KubeconfigContext = { cluster: "kind-dev", user: "kind-dev", namespace: "apps" };
 * ```
 */
export interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/**
 * A named entry and where it was defined (a file path, or a description for
 * an in-memory kubeconfig).
 *
 * @example
 * ```ts
 * const e: KubeconfigEntry<KubeconfigContext> = { name: "dev", origin: "/home/x/.kube/config", value: { cluster: "dev" } };
 * ```
 */
export interface KubeconfigEntry<T> {
  name: string;
  origin: string;
  value: T;
}

/**
 * One kubeconfig, or several merged: entries by name, the current context,
 * and the documents it was built from.
 *
 * @example
 * ```ts
 * const kc = await parseKubeconfig(await readFile(path, "utf8"), { path });
 * console.log(kc.currentContext, [...kc.contexts.keys()]);
 * ```
 */
export interface Kubeconfig {
  /** File paths (or descriptions) of the documents, in precedence order. */
  sources: string[];
  clusters: Map<string, KubeconfigEntry<KubeconfigCluster>>;
  users: Map<string, KubeconfigEntry<KubeconfigUser>>;
  contexts: Map<string, KubeconfigEntry<KubeconfigContext>>;
  currentContext?: string;
}

/**
 * Options of {@link parseKubeconfig} and {@link kubeconfigFromObject}.
 *
 * @example
 * ```ts
 * await parseKubeconfig(text, { path: "/home/x/.kube/config" });
 * ```
 */
export interface KubeconfigParseOptions {
  /** The file the document came from: named in errors, and its directory resolves relative paths. */
  path?: string;
  /** Directory for relative paths when there is no `path`. Default: the current working directory. */
  baseDir?: string;
}

/**
 * Parses a kubeconfig document (YAML or JSON). An empty document is an empty
 * kubeconfig. Throws `KubeconfigInvalid` with the file, line and column of a
 * YAML syntax error, or the path of a malformed entry (`users[1].user.exec.args`).
 * Async because the YAML parser is loaded on first use: a Pod using its
 * in-cluster config never pays for it.
 *
 * @example
 * ```ts
 * const kc = await parseKubeconfig("apiVersion: v1\nkind: Config\nclusters: []\n", { path: "/tmp/kc" });
 * ```
 */
export async function parseKubeconfig(text: string, options: KubeconfigParseOptions = {}): Promise<Kubeconfig> {
  const { parse, YAMLParseError } = await import("yaml");
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const where = `${options.path ?? "kubeconfig"}${pos ? `:${pos.line}:${pos.col}` : ""}`;
      const reason = err.message.split(" at line ")[0] ?? err.message;
      throw new OperantError("KubeconfigInvalid", `${where}: malformed YAML: ${reason}. Fix the file (kubectl config view shows what kubectl makes of it).`, { cause: err });
    }
    // The parser's other refusals (an alias bomb: "Excessive alias count indicates a resource exhaustion
    // attack") are plain Errors: they are the file's fault all the same.
    throw new OperantError("KubeconfigInvalid", `${options.path ?? "kubeconfig"}: cannot be read as YAML: ${(err as Error).message}. Fix the file (kubectl config view shows what kubectl makes of it).`, { cause: err });
  }
  return kubeconfigFromObject(doc, options);
}

/**
 * Builds a {@link Kubeconfig} from an already-parsed document (the object
 * form of a kubeconfig file).
 *
 * @example
 * ```ts
 * const kc = kubeconfigFromObject({ clusters: [{ name: "c", cluster: { server: "https://k:6443" } }], contexts: [], users: [] });
 * ```
 */
export function kubeconfigFromObject(doc: unknown, options: KubeconfigParseOptions = {}): Kubeconfig {
  const origin = options.path ?? "kubeconfig";
  const base = options.baseDir ?? (options.path ? dirname(resolve(options.path)) : process.cwd());
  const r = new Reader(origin, base);
  const kc: Kubeconfig = { sources: [origin], clusters: new Map(), users: new Map(), contexts: new Map() };
  if (doc === null || doc === undefined) return kc;
  const root = r.map(doc, "the document");
  const current = r.str(root["current-context"], "current-context");
  if (current) kc.currentContext = current;
  r.entries(root.clusters, "clusters", "cluster", kc.clusters, (v, at) => r.cluster(v, at));
  r.entries(root.users, "users", "user", kc.users, (v, at) => r.user(v, at));
  r.entries(root.contexts, "contexts", "context", kc.contexts, (v, at) => r.context(v, at));
  return kc;
}

/**
 * Merges kubeconfigs with kubectl's rules for a KUBECONFIG list: for each
 * cluster, user and context name the first document that defines it wins
 * (entries are never combined field by field), and the first document that
 * sets `current-context` decides it.
 *
 * @example
 * ```ts
 * const kc = mergeKubeconfigs([await parseKubeconfig(a, { path: "a" }), await parseKubeconfig(b, { path: "b" })]);
 * ```
 */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const out: Kubeconfig = { sources: [], clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const kc of configs) {
    out.sources.push(...kc.sources);
    if (out.currentContext === undefined && kc.currentContext) out.currentContext = kc.currentContext;
    for (const [k, v] of kc.clusters) if (!out.clusters.has(k)) out.clusters.set(k, v);
    for (const [k, v] of kc.users) if (!out.users.has(k)) out.users.set(k, v);
    for (const [k, v] of kc.contexts) if (!out.contexts.has(k)) out.contexts.set(k, v);
  }
  return out;
}

type Obj = Record<string, unknown>;

const EXEC_EXTENSION = "client.authentication.k8s.io/exec";
const IMPERSONATION_KEYS = ["as", "as-uid", "as-groups", "as-user-extra"];

// Reads one document, checking shapes and naming the offending path on error.
class Reader {
  readonly #origin: string;
  readonly #base: string;

  constructor(origin: string, base: string) {
    this.#origin = origin;
    this.#base = base;
  }

  invalid(at: string, problem: string): OperantError {
    return new OperantError("KubeconfigInvalid", `${this.#origin}: ${at} ${problem}. Fix the kubeconfig (kubectl config view shows what kubectl makes of it).`);
  }

  map(v: unknown, at: string): Obj {
    if (v === null || v === undefined) return {};
    if (typeof v !== "object" || Array.isArray(v)) throw this.invalid(at, "must be a mapping");
    return v as Obj;
  }

  list(v: unknown, at: string): unknown[] {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw this.invalid(at, "must be a list");
    return v;
  }

  str(v: unknown, at: string): string | undefined {
    if (v === null || v === undefined || v === "") return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw this.invalid(at, "must be a string");
  }

  bool(v: unknown, at: string): boolean {
    if (v === null || v === undefined || v === false || v === "false") return false;
    if (v === true || v === "true") return true;
    throw this.invalid(at, "must be true or false");
  }

  path(v: unknown, at: string): string | undefined {
    const p = this.str(v, at);
    return p === undefined || isAbsolute(p) ? p : join(this.#base, p);
  }

  entries<T>(v: unknown, key: string, inner: string, into: Map<string, KubeconfigEntry<T>>, read: (v: unknown, at: string) => T): void {
    this.list(v, key).forEach((item, i) => {
      const at = `${key}[${i}]`;
      const m = this.map(item, at);
      const name = this.str(m.name, `${at}.name`);
      if (name === undefined) throw this.invalid(at, "has no name");
      if (into.has(name)) throw this.invalid(at, `repeats the name "${name}" (names must be unique within a file)`);
      into.set(name, { name, origin: this.#origin, value: read(m[inner], `${at}.${inner}`) });
    });
  }

  cluster(v: unknown, at: string): KubeconfigCluster {
    const m = this.map(v, at);
    const c: KubeconfigCluster = { insecureSkipTlsVerify: this.bool(m["insecure-skip-tls-verify"], `${at}.insecure-skip-tls-verify`) };
    assign(c, "server", this.str(m.server, `${at}.server`));
    assign(c, "certificateAuthority", this.path(m["certificate-authority"], `${at}.certificate-authority`));
    assign(c, "certificateAuthorityData", this.str(m["certificate-authority-data"], `${at}.certificate-authority-data`));
    assign(c, "tlsServerName", this.str(m["tls-server-name"], `${at}.tls-server-name`));
    assign(c, "proxyUrl", this.str(m["proxy-url"], `${at}.proxy-url`));
    this.list(m.extensions, `${at}.extensions`).forEach((e, i) => {
      const ext = this.map(e, `${at}.extensions[${i}]`);
      if (ext.name === EXEC_EXTENSION) c.execExtension = ext.extension;
    });
    return c;
  }

  user(v: unknown, at: string): KubeconfigUser {
    const m = this.map(v, at);
    const u: KubeconfigUser = { impersonation: IMPERSONATION_KEYS.filter((k) => m[k] !== undefined && m[k] !== null && m[k] !== "") };
    assign(u, "clientCertificate", this.path(m["client-certificate"], `${at}.client-certificate`));
    assign(u, "clientCertificateData", this.str(m["client-certificate-data"], `${at}.client-certificate-data`));
    assign(u, "clientKey", this.path(m["client-key"], `${at}.client-key`));
    assign(u, "clientKeyData", this.str(m["client-key-data"], `${at}.client-key-data`));
    assign(u, "token", this.str(m.token, `${at}.token`));
    // `tokenFile` is the field's real name; `token-file` is what some clients wrote.
    assign(u, "tokenFile", this.path(m.tokenFile ?? m["token-file"], `${at}.tokenFile`));
    assign(u, "username", this.str(m.username, `${at}.username`));
    assign(u, "password", this.str(m.password, `${at}.password`));
    if (m.exec !== undefined && m.exec !== null) u.exec = this.exec(m.exec, `${at}.exec`);
    if (m["auth-provider"] !== undefined && m["auth-provider"] !== null) u.authProvider = this.authProvider(m["auth-provider"], `${at}.auth-provider`);
    return u;
  }

  exec(v: unknown, at: string): KubeconfigExec {
    const m = this.map(v, at);
    let command = this.str(m.command, `${at}.command`);
    if (command === undefined) throw this.invalid(`${at}.command`, "is missing");
    // Like kubectl: a command with a path separator is a path relative to the
    // kubeconfig's directory; a bare name is looked up on PATH.
    if (command.includes(sep) && !isAbsolute(command)) command = join(this.#base, command);
    const e: KubeconfigExec = {
      command,
      args: this.list(m.args, `${at}.args`).map((a, i) => this.str(a, `${at}.args[${i}]`) ?? ""),
      env: this.list(m.env, `${at}.env`).map((item, i) => {
        const kv = this.map(item, `${at}.env[${i}]`);
        const name = this.str(kv.name, `${at}.env[${i}].name`);
        if (name === undefined) throw this.invalid(`${at}.env[${i}]`, "has no name");
        return { name, value: this.str(kv.value, `${at}.env[${i}].value`) ?? "" };
      }),
      provideClusterInfo: this.bool(m.provideClusterInfo, `${at}.provideClusterInfo`),
    };
    assign(e, "apiVersion", this.str(m.apiVersion, `${at}.apiVersion`));
    assign(e, "installHint", this.str(m.installHint, `${at}.installHint`));
    assign(e, "interactiveMode", this.str(m.interactiveMode, `${at}.interactiveMode`));
    return e;
  }

  authProvider(v: unknown, at: string): KubeconfigAuthProvider {
    const m = this.map(v, at);
    const name = this.str(m.name, `${at}.name`);
    if (name === undefined) throw this.invalid(at, "has no name");
    const config: Record<string, string> = {};
    for (const [k, val] of Object.entries(this.map(m.config, `${at}.config`))) {
      const s = this.str(val, `${at}.config.${k}`);
      if (s !== undefined) config[k] = s;
    }
    return { name, config };
  }

  context(v: unknown, at: string): KubeconfigContext {
    const m = this.map(v, at);
    const c: KubeconfigContext = {};
    assign(c, "cluster", this.str(m.cluster, `${at}.cluster`));
    assign(c, "user", this.str(m.user, `${at}.user`));
    assign(c, "namespace", this.str(m.namespace, `${at}.namespace`));
    return c;
  }
}

// Sets an optional property only when there is a value (exactOptionalPropertyTypes-friendly).
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
