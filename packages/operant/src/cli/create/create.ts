// `operant create api --group <g> --version <v> --kind <K>`: a resource
// definition, a controller for it, a sample, all wired into src/operator.ts.
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { OperantError } from "../../core/errors.ts";
import { manifestsYaml } from "../../operator/manifests.ts";
import { existingSamples } from "../generate/generate.ts";
import { GENERATED_HEADER } from "../generate/layout.ts";
import { checkKindAndVersion, controllerName, fullGroup, kindFileName } from "../names/names.ts";
import { stringify } from "yaml";
import { findProject, OPERATOR_FILE, reportWrite, writeIfChanged } from "../project/project.ts";
import { wireIntoOperator, type OperatorFileAddition } from "./operator-file.ts";
import { controllerTs, resourceTs, type ApiValues } from "./templates.ts";
import { addCreateWebhookCommand } from "./webhook.ts";

/** Options of {@link createApi}. */
export interface CreateApiOptions {
  group: string;
  version: string;
  kind: string;
  scope?: "Namespaced" | "Cluster";
  /** Write the resource definition (default true); false adds a controller for a kind already in src/api. */
  resource?: boolean;
  /** Write a controller (default true). */
  controller?: boolean;
}

/** Kinds defined in src/api/*.ts (`export const X = defineResource(`), by file. */
async function knownKinds(root: string): Promise<Map<string, string>> {
  const dir = join(root, "src", "api");
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of (await readdir(dir)).filter((x) => x.endsWith(".ts") && !x.endsWith(".test.ts")).sort()) {
    const text = await readFile(join(dir, f), "utf8");
    for (const m of text.matchAll(/export\s+const\s+(\w+)\s*=\s*defineResource\s*\(/g)) out.set(m[1]!, f.replace(/\.ts$/, ""));
  }
  return out;
}

/**
 * Scaffolds an API in the project at `root`; returns the files written.
 *
 * @throws OperantError `InvalidName`, `KindExists`, `UnknownKind`, `OperatorFileShape`
 * @example
 * ```ts
 * await createApi(project.root, { group: "cache", version: "v1alpha1", kind: "Memcached" });
 * ```
 */
export async function createApi(root: string, domain: string | undefined, options: CreateApiOptions): Promise<string[]> {
  checkKindAndVersion(options.kind, options.version);
  const group = fullGroup(options.group, domain);
  const file = kindFileName(options.kind);
  const withResource = options.resource ?? true;
  const withController = options.controller ?? true;
  if (!withResource && !withController) throw new OperantError("InvalidArgument", "nothing to create: --no-resource and --no-controller together leave nothing. Drop one of them.");
  const known = await knownKinds(root);
  const v: ApiValues = { group, version: options.version, kind: options.kind, scope: options.scope ?? "Namespaced", file, apiFile: known.get(options.kind) ?? file, controller: controllerName(options.kind) };
  const apiPath = join(root, "src", "api", `${file}.ts`);
  const controllerPath = join(root, "src", "controllers", `${file}.ts`);
  if (withResource && (existsSync(apiPath) || known.has(options.kind))) {
    throw new OperantError("KindExists", `${options.kind} is already defined (src/api/${known.get(options.kind) ?? file}.ts). Edit it there; for another version of it use ${options.kind}.defineVersion("${options.version}", { … }); to add only a controller, pass --no-resource.`);
  }
  if (!withResource && !known.has(options.kind)) {
    const list = [...known.keys()];
    throw new OperantError("UnknownKind", `kind ${options.kind} is not defined in src/api (${list.length ? `known kinds: ${list.join(", ")}` : "no kinds yet"}). Create it with \`operant create api --group ${options.group} --version ${options.version} --kind ${options.kind}\` (without --no-resource), or check the spelling.`);
  }
  if (withController && existsSync(controllerPath)) {
    throw new OperantError("KindExists", `src/controllers/${file}.ts already exists. Edit it, or pass --no-controller.`);
  }
  const additions: OperatorFileAddition[] = [];
  if (withResource) additions.push({ list: "resources", name: options.kind, from: `./api/${file}.ts` });
  if (withController) additions.push({ list: "controllers", name: v.controller, from: `./controllers/${file}.ts` });
  // Edit src/operator.ts in memory first: if it has an unexpected shape, nothing is written.
  const operatorPath = join(root, OPERATOR_FILE);
  const wired = wireIntoOperator(await readFile(operatorPath, "utf8"), additions);

  const written: string[] = [];
  const write = async (path: string, text: string) => {
    reportWrite(root, path, await writeIfChanged(path, text));
    written.push(path);
  };
  if (withResource) {
    await write(apiPath, resourceTs(v));
    const singular = options.kind.toLowerCase();
    const sampleName = `${group}_${options.version}_${singular}.yaml`;
    const samplePath = join(root, "config", "samples", sampleName);
    if (!existsSync(samplePath)) {
      const sample = { apiVersion: `${group}/${options.version}`, kind: options.kind, metadata: { name: `${singular}-sample` }, spec: {} };
      await write(samplePath, `# A ${options.kind} to try the operator with: kubectl apply -f ${join("config", "samples", sampleName)}\n# TODO: set the spec fields you defined in src/api/${file}.ts.\n${manifestsYaml([sample])}`);
      const all = await existingSamples(root);
      await write(join(root, "config", "samples", "kustomization.yaml"), GENERATED_HEADER + stringify({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: all }, { lineWidth: 0 }));
    }
  }
  if (withController) await write(controllerPath, controllerTs(v));
  await writeFile(operatorPath, wired);
  reportWrite(root, operatorPath, "updated");
  written.push(operatorPath);
  return written;
}

/**
 * The `create` command group (`create api`).
 *
 * @example
 * ```sh
 * operant create api --group cache --version v1alpha1 --kind Memcached
 * ```
 */
export function createCommand(): Command {
  const create = new Command("create").description("Scaffold new parts of an operator project");
  create
    .command("api")
    .description("Add a custom resource (src/api/<kind>.ts), its controller (src/controllers/<kind>.ts) and a sample, wired into src/operator.ts")
    .requiredOption("--group <group>", "API group: a short name (cache → cache.<domain>) or a full one (cache.example.com)")
    .requiredOption("--version <version>", "API version: v1, v1alpha1, v2beta1…")
    .requiredOption("--kind <Kind>", "kind, UpperCamelCase (Memcached)")
    .option("--namespaced", "objects live in namespaces (default)")
    .option("--cluster", "objects are cluster-scoped")
    .option("--no-resource", "do not write the resource (add a controller for a kind already in src/api)")
    .option("--controller", "write a controller", true)
    .option("--no-controller", "do not write a controller")
    .action(async (options: { group: string; version: string; kind: string; namespaced?: boolean; cluster?: boolean; resource: boolean; controller: boolean }) => {
      if (options.namespaced && options.cluster) throw new OperantError("InvalidArgument", "--namespaced and --cluster exclude each other: pick one (Namespaced is the default).");
      const project = await findProject();
      await createApi(project.root, project.domain, { group: options.group, version: options.version, kind: options.kind, scope: options.cluster ? "Cluster" : "Namespaced", resource: options.resource, controller: options.controller });
      process.stderr.write(`\nNext: define the spec and status in src/api/${kindFileName(options.kind)}.ts${options.controller ? ` and the reconciler in src/controllers/${kindFileName(options.kind)}.ts` : ""}, then \`operant generate\` and \`operant install\`.\n`);
    });
  addCreateWebhookCommand(create);
  return create;
}
