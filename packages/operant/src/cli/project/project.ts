// An operator project as the CLI sees it: the directory holding
// src/operator.ts and package.json (its `operant` field keeps the domain),
// the operator definition that file exports, and a client for the cluster
// the current kubeconfig points at.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "../../client/client.ts";
import { OperantError, isOperantError } from "../../core/errors.ts";
import type { OperatorDefinition } from "../../operator/operator.ts";

/** A project found on disk. */
export interface Project {
  /** Absolute path of the project directory. */
  readonly root: string;
  /** `operant.domain` of package.json (the suffix of the API groups `create api` makes), if set. */
  readonly domain: string | undefined;
  /** `name` of package.json. */
  readonly packageName: string | undefined;
}

/** package.json as far as the CLI reads and writes it. */
export interface PackageJson {
  name?: string;
  version?: string;
  operant?: { domain?: string };
  [key: string]: unknown;
}

/** The operator definition file of a project. */
export const OPERATOR_FILE = join("src", "operator.ts");

/**
 * Finds the project containing `from` (default: the working directory): the
 * nearest directory, going up, with `src/operator.ts`.
 *
 * @throws OperantError `NotAProject` when there is none
 * @example
 * ```ts
 * const project = await findProject();
 * ```
 */
export async function findProject(from: string = process.cwd()): Promise<Project> {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, OPERATOR_FILE))) {
      const pkg = existsSync(join(dir, "package.json")) ? await readPackageJson(dir) : {};
      return { root: dir, domain: pkg.operant?.domain, packageName: pkg.name };
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new OperantError("NotAProject", `${resolve(from)} is not in an operant project (no ${OPERATOR_FILE} here or in a parent directory). Create one with \`operant init <dir> --domain example.com\`, or cd into a project.`);
}

/** Reads and parses `<root>/package.json`. */
export async function readPackageJson(root: string): Promise<PackageJson> {
  const path = join(root, "package.json");
  try {
    return JSON.parse(await readFile(path, "utf8")) as PackageJson;
  } catch (err) {
    throw new OperantError("ProjectFileInvalid", `${path} cannot be read as JSON (${(err as Error).message}). Fix the file.`, { cause: err });
  }
}

/**
 * Imports the project's `src/operator.ts` and returns its default export,
 * checked to be an operator definition.
 *
 * @throws OperantError `OperatorModuleFailed` (the module or one of its imports throws), `OperatorModuleInvalid` (no `export default defineOperator(…)`)
 * @example
 * ```ts
 * const operator = await loadOperator(project.root);
 * ```
 */
export async function loadOperator(root: string): Promise<OperatorDefinition> {
  const file = join(root, OPERATOR_FILE);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    if (isOperantError(err)) throw new OperantError(err.code, `${OPERATOR_FILE}: ${err.message}`, { cause: err });
    const e = err as Error & { code?: string };
    const hint = e.code === "ERR_MODULE_NOT_FOUND" ? " Is a dependency missing (run `npm install`) or an import path wrong (relative imports end in .ts)?" : " Fix the error and run the command again.";
    throw new OperantError("OperatorModuleFailed", `importing ${OPERATOR_FILE} failed: ${e.message.split("\n")[0]}.${hint}`, { cause: err });
  }
  const op = mod.default as Partial<OperatorDefinition> | undefined;
  if (!op || typeof op !== "object" || typeof op.name !== "string" || !Array.isArray(op.controllers) || !Array.isArray(op.resources) || typeof op.scope !== "string") {
    throw new OperantError("OperatorModuleInvalid", `${OPERATOR_FILE} does not default-export an operator. End it with \`export default defineOperator({ name: "my-operator", resources: [...], controllers: [...] })\` (defineOperator comes from "operant").`);
  }
  return op as OperatorDefinition;
}

/**
 * Connects to the cluster of the kubeconfig (`--kubeconfig`, else
 * KUBECONFIG, else ~/.kube/config) and checks that it answers.
 *
 * @throws OperantError `KubeconfigNotFound` and the other kubeconfig errors; `ClusterUnreachable` when the API server does not answer
 * @example
 * ```ts
 * const client = await connectCluster({ kubeconfig: options.kubeconfig });
 * ```
 */
export async function connectCluster(options: { kubeconfig?: string | undefined; context?: string | undefined }): Promise<Client> {
  const client = await Client.connect({ ...(options.kubeconfig && { kubeconfig: options.kubeconfig }), ...(options.context && { context: options.context }), fieldManager: "operant-cli" });
  try {
    await client.discovery.serverVersion();
  } catch (err) {
    await client.close();
    if (isOperantError(err, "ConnectionFailed", "Timeout", "TlsFailed")) {
      throw new OperantError("ClusterUnreachable", `the cluster of the current kubeconfig does not answer (${err.message.replace(/\.$/, "")}). Start a local one with \`operant cluster up\` and \`export KUBECONFIG=$(operant cluster kubeconfig)\`, or point --kubeconfig at a running cluster.`, { cause: err });
    }
    throw err;
  }
  return client;
}

/** How a file compares with what was about to be written. */
export type WriteResult = "created" | "updated" | "unchanged";

/**
 * Writes `text` to `path` (creating directories) unless the file already
 * holds exactly that text.
 *
 * @example
 * ```ts
 * await writeIfChanged("config/rbac/role.yaml", yaml); // "unchanged" on a second run
 * ```
 */
export async function writeIfChanged(path: string, text: string): Promise<WriteResult> {
  const old = existsSync(path) ? await readFile(path, "utf8") : undefined;
  if (old === text) return "unchanged";
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return old === undefined ? "created" : "updated";
}

/** Prints `<result> <path relative to root>` on stderr, for commands that write files. */
export function reportWrite(root: string, path: string, result: WriteResult): void {
  process.stderr.write(`  ${result.padEnd(9)} ${relative(root, path)}\n`);
}
