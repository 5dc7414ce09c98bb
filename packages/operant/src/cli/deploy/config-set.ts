// The objects a project deploys: what kustomize builds from config/default
// (kubectl's built-in kustomize: patches, overlays and components work),
// ordered so that each object's dependencies come first; and applying or
// deleting that set with server-side apply.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import type { Client } from "../../client/client.ts";
import { OperantError, isOperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import type { KubeObject } from "../../core/object.ts";
import { sleep } from "../../core/time.ts";
import { Namespace } from "../../kinds/index.ts";

/** An object of the set and the file it comes from. */
export interface ConfigObject {
  readonly object: KubeObject & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
  /** Path relative to the project. */
  readonly source: string;
}

const ORDER = ["Namespace", "CustomResourceDefinition", "ServiceAccount", "Secret", "ConfigMap", "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding", "Service", "Deployment", "NetworkPolicy", "ServiceMonitor"];
const rank = (kind: string) => {
  const i = ORDER.indexOf(kind);
  return i < 0 ? ORDER.length : i;
};

/** Runs `kubectl kustomize <dir>` (kubectl's built-in kustomize) and returns the YAML it prints. */
async function kustomizeBuild(root: string, dir: string): Promise<string> {
  const rel = relative(root, dir) || ".";
  const kubectl = process.env.OPERANT_KUBECTL ?? "kubectl";
  return new Promise((resolvePromise, reject) => {
    const child = spawn(kubectl, ["kustomize", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on("error", (e: NodeJS.ErrnoException) => {
      reject(
        e.code === "ENOENT"
          ? new OperantError("KustomizeFailed", `cannot build ${rel}: there is no \`${kubectl}\` on PATH. Install kubectl (its built-in kustomize builds config/), or point OPERANT_KUBECTL at it.`, { cause: e })
          : e,
      );
    });
    child.on("close", (code) => {
      if (code === 0) resolvePromise(out);
      else reject(new OperantError("KustomizeFailed", `\`${kubectl} kustomize ${rel}\` failed (exit ${code}): ${err.trim().replace(/^error: /, "")}. Fix the kustomization (see \`kubectl kustomize ${rel}\`), or run \`operant generate\` to restore operant's files.`));
    });
  });
}

function parseObjects(yaml: string, source: string): ConfigObject[] {
  const out: ConfigObject[] = [];
  for (const d of parseAllDocuments(yaml)) {
    if (d.errors.length > 0) throw new OperantError("ConfigInvalid", `${source}: ${d.errors[0]!.message}. Fix the YAML or regenerate it with \`operant generate\`.`);
    const obj = d.toJS() as ConfigObject["object"] | null;
    if (obj === null || obj === undefined) continue;
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string" || typeof obj.metadata?.name !== "string") {
      throw new OperantError("ConfigInvalid", `${source}: a document has no apiVersion, kind or metadata.name. Fix it or regenerate it with \`operant generate\`.`);
    }
    out.push({ object: obj, source });
  }
  return out;
}

/**
 * The objects `config/default` stands for, built by kustomize (`kubectl
 * kustomize`, so patches, overlays, components, `namespace:` and
 * `namePrefix:` all apply), then `config/watch-namespaces` when it exists
 * (the Roles of a Namespaced operator in the other namespaces it watches),
 * in apply order (Namespaces, CRDs, ServiceAccounts, RBAC, Services,
 * Deployments, then the rest).
 *
 * @throws OperantError `ConfigMissing`, `ConfigInvalid`, `KustomizeFailed`
 * @example
 * ```ts
 * const objects = await readConfigSet(project.root);
 * const staging = await readConfigSet(project.root, "config/overlays/staging");
 * ```
 */
export async function readConfigSet(root: string, entry = join("config", "default")): Promise<ConfigObject[]> {
  const dirs = [join(root, entry)];
  const extra = join(root, "config", "watch-namespaces");
  if (entry === join("config", "default") && existsSync(join(extra, "kustomization.yaml"))) dirs.push(extra);
  const out: ConfigObject[] = [];
  for (const dir of dirs) {
    const rel = relative(root, dir) || ".";
    if (!existsSync(join(dir, "kustomization.yaml")) && !existsSync(join(dir, "kustomization.yml")) && !existsSync(join(dir, "Kustomization"))) {
      throw new OperantError("ConfigMissing", `${rel}/kustomization.yaml does not exist: run \`operant generate\` to write config/, or name an existing kustomization directory.`);
    }
    out.push(...parseObjects(await kustomizeBuild(root, dir), rel));
  }
  return out.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o.object.kind) - rank(b.o.object.kind) || a.i - b.i).map(({ o }) => o);
}

/** `Kind namespace/name`. */
export function describeObject(o: ConfigObject["object"]): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

async function kindOf(client: Client, o: ConfigObject["object"]): Promise<Kind> {
  return client.discovery.kindFor(o.apiVersion, o.kind);
}

/** What happened to one object. */
export interface ObjectOutcome {
  readonly object: ConfigObject["object"];
  readonly result: "applied" | "deleted" | "absent" | "skipped";
  readonly note?: string;
}

/**
 * Server-side applies the set in order (forced, field manager `operant-cli`).
 * With `dryRun`, the API server validates and admits each object without
 * persisting it; objects in a namespace that the set itself would create
 * are skipped (the namespace does not exist yet), with a note.
 *
 * @example
 * ```ts
 * for (const o of await applyConfigSet(client, objects, { dryRun: true })) console.log(o.result, describeObject(o.object));
 * ```
 */
export async function applyConfigSet(client: Client, set: readonly ConfigObject[], options: { dryRun?: boolean; signal?: AbortSignal; onOutcome?: (o: ObjectOutcome) => void } = {}): Promise<ObjectOutcome[]> {
  const outcomes: ObjectOutcome[] = [];
  const createdNamespaces = new Set(set.filter((o) => o.object.kind === "Namespace" && o.object.apiVersion === "v1").map((o) => o.object.metadata.name));
  const missingNamespaces = new Set<string>();
  if (options.dryRun) {
    for (const ns of createdNamespaces) if (!(await client.tryGet(Namespace, { name: ns }, { signal: options.signal }))) missingNamespaces.add(ns);
  }
  for (const { object, source } of set) {
    let outcome: ObjectOutcome;
    const ns = object.metadata.namespace;
    if (options.dryRun && ns && missingNamespaces.has(ns)) {
      outcome = { object, result: "skipped", note: `namespace ${ns} does not exist yet (this deploy creates it), so the server cannot check it in a dry run` };
    } else {
      try {
        const kind = await kindOf(client, object);
        await client.apply(kind, object, { force: true, fieldManager: "operant-cli", ...(options.dryRun && { dryRun: true }), ...(options.signal && { signal: options.signal }) });
        if (object.kind === "CustomResourceDefinition") client.discovery.invalidate();
        outcome = { object, result: "applied" };
      } catch (err) {
        if (isOperantError(err)) throw new OperantError(err.code, `${describeObject(object)} (${source}): ${err.message}`, { cause: err, retryable: err.retryable });
        throw err;
      }
    }
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  }
  return outcomes;
}

/**
 * Deletes the set: custom resource definitions first (while the operator
 * still runs to finalize their objects), then everything else in reverse
 * apply order; then waits until every object is gone (namespaces take a
 * while). Missing objects are fine.
 *
 * @throws OperantError `Timeout` naming what is still there
 * @example
 * ```ts
 * await deleteConfigSet(client, objects, { timeoutMs: 120_000 });
 * ```
 */
export async function deleteConfigSet(client: Client, set: readonly ConfigObject[], options: { dryRun?: boolean; timeoutMs?: number; signal?: AbortSignal; onOutcome?: (o: ObjectOutcome) => void } = {}): Promise<ObjectOutcome[]> {
  const crds = set.filter((o) => o.object.kind === "CustomResourceDefinition");
  const rest = set.filter((o) => o.object.kind !== "CustomResourceDefinition").reverse();
  const outcomes: ObjectOutcome[] = [];
  const pending: { kind: Kind; object: ConfigObject["object"] }[] = [];
  for (const { object } of [...crds, ...rest]) {
    let kind: Kind;
    try {
      kind = await kindOf(client, object);
    } catch (err) {
      if (!isOperantError(err, "UnknownKind")) throw err;
      const o: ObjectOutcome = { object, result: "absent", note: "its kind is not served (CRD already gone)" };
      outcomes.push(o);
      options.onOutcome?.(o);
      continue;
    }
    const ref = { name: object.metadata.name, ...(object.metadata.namespace && { namespace: object.metadata.namespace }) };
    let result: ObjectOutcome["result"] = "deleted";
    try {
      await client.delete(kind, ref, { ...(options.dryRun && { dryRun: true }), ...(options.signal && { signal: options.signal }) });
      if (!options.dryRun) pending.push({ kind, object });
    } catch (err) {
      if (!isOperantError(err, "NotFound")) throw err;
      result = "absent";
    }
    const o: ObjectOutcome = { object, result };
    outcomes.push(o);
    options.onOutcome?.(o);
  }
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (const { kind, object } of pending) {
    const ref = { name: object.metadata.name, ...(object.metadata.namespace && { namespace: object.metadata.namespace }) };
    for (;;) {
      const still = await client.tryGet(kind, ref, { signal: options.signal }).catch((err: unknown) => {
        if (isOperantError(err, "NotFound", "UnknownKind")) return undefined;
        throw err;
      });
      if (!still) break;
      if (Date.now() > deadline) {
        throw new OperantError("Timeout", `${describeObject(object)} is still being deleted after ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s${object.kind === "CustomResourceDefinition" ? " (objects with finalizers hold it: is the operator still running?)" : object.kind === "Namespace" ? " (the namespace controller removes its contents first)" : ""}. Check it with kubectl, or wait longer with --timeout.`, { retryable: true });
      }
      await sleep(250, options.signal);
    }
  }
  client.discovery.invalidate();
  return outcomes;
}
