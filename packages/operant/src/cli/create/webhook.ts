// `operant create webhook --kind K [--defaulting] [--validation] [--conversion]`:
// a defaulting and/or validating webhook for a kind of src/api, and/or the
// skeleton of its conversion, wired into src/operator.ts's `webhooks` and
// `conversions` lists (added when missing), as kubebuilder's `create webhook`.
// Built-in kinds too (`--kind Pod --group core --version v1`, or
// `--kind apps/v1/Deployment`): the handler is typed by operant/kinds.
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OperantError } from "../../core/errors.ts";
import type { Kind } from "../../core/kind.ts";
import * as builtInKinds from "../../kinds/index.ts";
import { kindFileName } from "../names/names.ts";
import { findProject, OPERATOR_FILE, reportWrite, writeIfChanged } from "../project/project.ts";
import { wireIntoOperator, type OperatorFileAddition } from "./operator-file.ts";
import type { Command } from "commander";

/** Options of {@link createWebhook}. */
export interface CreateWebhookOptions {
  /** A kind of src/api (`Memcached`), or a built-in kind: `Pod` with `group` and `version`, or `apps/v1/Deployment` / `v1/Pod`. */
  kind: string;
  /** API group of a built-in kind (`core` or "" for the core group). */
  group?: string;
  /** API version of a built-in kind (`v1`). */
  version?: string;
  defaulting?: boolean;
  validation?: boolean;
  conversion?: boolean;
}

/** The src/api file (without `.ts`) that exports `kind` from a defineResource call. */
async function apiFileOf(root: string, kind: string): Promise<string | undefined> {
  const dir = join(root, "src", "api");
  if (!existsSync(dir)) return undefined;
  for (const f of (await readdir(dir)).filter((x) => x.endsWith(".ts") && !x.endsWith(".test.ts")).sort()) {
    const text = await readFile(join(dir, f), "utf8");
    if (new RegExp(`export\\s+const\\s+${kind}\\s*=\\s*defineResource\\s*\\(`).test(text)) return f.replace(/\.ts$/, "");
  }
  return undefined;
}

const lower = (s: string): string => s[0]!.toLowerCase() + s.slice(1);

/** A built-in kind asked for on the command line, as group, version and kind. */
export interface BuiltInKindRef {
  group: string;
  version: string;
  kind: string;
}

/**
 * Reads `--kind` (and `--group`, `--version`) as a built-in kind reference:
 * `apps/v1/Deployment`, `v1/Pod`, or a bare kind with a group and version
 * (`core` names the core group). Undefined for a bare kind without either.
 *
 * @throws OperantError `InvalidArgument` for a malformed reference, or a group or version given both ways
 * @example
 * ```ts
 * builtInRef({ kind: "apps/v1/Deployment" }) // { group: "apps", version: "v1", kind: "Deployment" }
 * builtInRef({ kind: "Pod", group: "core", version: "v1" }) // { group: "", version: "v1", kind: "Pod" }
 * ```
 */
export function builtInRef(options: Pick<CreateWebhookOptions, "kind" | "group" | "version">): BuiltInKindRef | undefined {
  const parts = options.kind.split("/");
  const core = (g: string) => (g === "core" ? "" : g);
  if (parts.length > 1) {
    if (options.group !== undefined || options.version !== undefined) throw new OperantError("InvalidArgument", `--kind ${options.kind} already names the group and version: drop --group and --version, or pass --kind ${parts.at(-1)!}.`);
    if (parts.length > 3 || parts.some((p) => p === "")) throw new OperantError("InvalidArgument", `--kind ${options.kind} is not <group>/<version>/<Kind> (e.g. apps/v1/Deployment) or <version>/<Kind> (e.g. v1/Pod).`);
    return parts.length === 3 ? { group: core(parts[0]!), version: parts[1]!, kind: parts[2]! } : { group: "", version: parts[0]!, kind: parts[1]! };
  }
  if (options.group === undefined && options.version === undefined) return undefined;
  if (options.version === undefined) throw new OperantError("InvalidArgument", `--kind ${options.kind} --group ${options.group}: pass --version too (e.g. --version v1).`);
  return { group: core(options.group ?? ""), version: options.version, kind: options.kind };
}

/** The export of operant/kinds for a built-in kind: its name and Kind. */
export function findBuiltInKind(ref: BuiltInKindRef): { exportName: string; kind: Kind } | undefined {
  for (const [exportName, value] of Object.entries(builtInKinds)) {
    const k = value as Partial<Kind> | undefined;
    if (k && typeof k === "object" && k.kind === ref.kind && k.group === ref.group && k.version === ref.version) return { exportName, kind: value as Kind };
  }
  return undefined;
}

/** The built-in kinds operant/kinds has, as `group/version/Kind` (`v1/Pod` for the core group), for messages. */
function builtInKindNames(): string[] {
  return (Object.values(builtInKinds) as unknown[])
    .filter((v): v is Kind => typeof v === "object" && v !== null && typeof (v as Partial<Kind>).kind === "string" && typeof (v as Partial<Kind>).version === "string")
    .map((k) => `${k.group ? `${k.group}/` : ""}${k.version}/${k.kind}`)
    .sort();
}

/** src/webhooks/<kind>.ts */
export function admissionWebhookTs(kind: string, apiFile: string, defaulting: boolean, validation: boolean): string {
  const imports = ["Admission", ...(defaulting ? ["defineMutatingWebhook"] : []), ...(validation ? ["defineValidatingWebhook"] : [])];
  const builtIn = apiFile.startsWith("operant/");
  const header = builtIn
    ? `// Admission webhooks for ${kind}, a built-in kind: the API server calls them on
// every create and update of a ${kind} the webhooks' selectors match, in every
// namespace unless narrowed, before it is stored. Narrow them (namespaceSelector,
// objectSelector, operations) to the ${kind}s this operator cares about: while
// the webhook server is down, failurePolicy Fail refuses every ${kind} they match.
// \`operant generate\` writes their configurations to config/webhook.`
    : `// Admission webhooks for ${kind}: the API server calls them on every create and
// update, before the object is stored. Rules the CRD's schema and CEL cannot
// express live here (anything that needs another object, a quota, uniqueness).
// \`operant generate\` writes their configurations to config/webhook.`;
  const selector = builtIn ? `  // e.g. only in namespaces labelled for this operator:\n  // namespaceSelector: { matchLabels: { "example.com/managed": "true" } },\n` : "";
  const parts = [
    `${header}
import { ${imports.join(", ")} } from "operant/webhook";
import { ${kind} } from "${builtIn ? apiFile : `../api/${apiFile}.ts`}";
`,
  ];
  if (defaulting) {
    parts.push(`
/** Sets defaults on ${kind}s as they are created or updated. */
export const default${kind} = defineMutatingWebhook({
  kind: ${kind},
${selector}  mutate: (req) => {
    const obj = req.object!;
    // TODO: set defaults on obj (a copy: operant answers with the patch), e.g.
    // obj.spec.foo ??= "bar";
    void obj;
    return Admission.allow();
  },
});
`);
  }
  if (validation) {
    parts.push(`
/** Allows or denies ${kind}s as they are created or updated. */
export const validate${kind} = defineValidatingWebhook({
  kind: ${kind},
${selector}  validate: (req) => {
    const obj = req.object!;
    // TODO: check obj (and req.oldObject on UPDATE); deny with a message that says what to change, e.g.
    // if (!obj.spec.foo) return Admission.deny("spec.foo is required");
    void obj;
    return Admission.allow();
  },
});
`);
  }
  return parts.join("");
}

/** src/webhooks/<kind>-conversion.ts */
export function conversionTs(kind: string, apiFile: string): string {
  return `// Conversion between the versions of ${kind}: the hub (normally the storage
// version) and, for every other version, functions to and from it. The API
// server calls it through /convert when a client reads or writes a version
// other than the stored one; \`operant generate\` sets the CRD's spec.conversion.
import { defineConversion } from "operant/webhook";
import { ${kind} } from "../api/${apiFile}.ts";

export const ${lower(kind)}Conversion = defineConversion(${kind});
// TODO: for every other version (declared with ${kind}.defineVersion(…)), add:
//   .spoke(${kind}V1alpha1, {
//     toHub: (old, stash) => ({ spec: { … } }),          // stash.take(…) what the old version cannot hold
//     fromHub: (hub, stash) => { stash.put("field", hub.spec.field); return { spec: { … } }; },
//   })
`;
}

/**
 * Scaffolds webhooks for a kind of the project at `root`; returns the files written.
 *
 * @throws OperantError `InvalidArgument` (nothing asked), `UnknownKind`, `KindExists` (the file exists), `OperatorFileShape`
 * @example
 * ```ts
 * await createWebhook(project.root, { kind: "Memcached", defaulting: true, validation: true });
 * ```
 */
export async function createWebhook(root: string, options: CreateWebhookOptions): Promise<string[]> {
  const defaulting = options.defaulting ?? false;
  const validation = options.validation ?? false;
  const conversion = options.conversion ?? false;
  if (!defaulting && !validation && !conversion) throw new OperantError("InvalidArgument", "nothing to create: pass --defaulting, --validation and/or --conversion.");
  const ref = builtInRef(options);
  const kind = ref?.kind ?? options.kind;
  // A kind of src/api, unless a group and version name a built-in one; a bare kind src/api lacks may still be built in (Pod).
  let apiFile = ref ? undefined : await apiFileOf(root, kind);
  if (!apiFile) {
    const candidates = ref ? [findBuiltInKind(ref)] : [...new Set(builtInKindNames().filter((n) => n.endsWith(`/${kind}`)))].map((n) => findBuiltInKind(builtInRef({ kind: n })!));
    const found = candidates.filter((c) => c !== undefined);
    if (found.length !== 1) {
      const asked = ref ? `${ref.group || "core"}/${ref.version} ${ref.kind}` : kind;
      throw new OperantError(
        "UnknownKind",
        ref
          ? `built-in kind ${asked} is not in operant/kinds (it has ${builtInKindNames().join(", ")}): check the group, version and spelling.`
          : `kind ${kind} is not defined in src/api${found.length > 1 ? ` and several built-in kinds have that name (${found.map((f) => `${f.kind.group || "core"}/${f.kind.version}`).join(", ")}): pass --group and --version` : `: create it first with \`operant create api --kind ${kind} …\`, or check the spelling`}.`,
      );
    }
    if (conversion) throw new OperantError("InvalidArgument", `${found[0]!.kind.kind} is a built-in kind: the API server converts its versions itself, so there is no conversion to scaffold. Drop --conversion.`);
    apiFile = "operant/kinds";
    if (found[0]!.exportName !== kind) throw new OperantError("UnknownKind", `operant/kinds exports ${kind} as ${found[0]!.exportName}: pass --kind ${found[0]!.exportName}.`);
  }
  const file = kindFileName(kind);
  const admissionPath = join(root, "src", "webhooks", `${file}.ts`);
  const conversionPath = join(root, "src", "webhooks", `${file}-conversion.ts`);
  if ((defaulting || validation) && existsSync(admissionPath)) throw new OperantError("KindExists", `src/webhooks/${file}.ts already exists: edit it to add the other webhook.`);
  if (conversion && existsSync(conversionPath)) throw new OperantError("KindExists", `src/webhooks/${file}-conversion.ts already exists.`);
  const additions: OperatorFileAddition[] = [];
  if (defaulting) additions.push({ list: "webhooks", name: `default${kind}`, from: `./webhooks/${file}.ts` });
  if (validation) additions.push({ list: "webhooks", name: `validate${kind}`, from: `./webhooks/${file}.ts` });
  if (conversion) additions.push({ list: "conversions", name: `${lower(kind)}Conversion`, from: `./webhooks/${file}-conversion.ts` });
  const operatorPath = join(root, OPERATOR_FILE);
  let source = await readFile(operatorPath, "utf8");
  for (const list of new Set(additions.map((a) => a.list))) source = withList(source, list);
  const wired = wireIntoOperator(source, additions);
  const written: string[] = [];
  const write = async (path: string, text: string) => {
    reportWrite(root, path, await writeIfChanged(path, text));
    written.push(path);
  };
  if (defaulting || validation) await write(admissionPath, admissionWebhookTs(kind, apiFile, defaulting, validation));
  if (conversion) await write(conversionPath, conversionTs(kind, apiFile));
  await writeFile(operatorPath, wired);
  reportWrite(root, operatorPath, "updated");
  written.push(operatorPath);
  return written;
}

/** Adds an empty `list: [],` to the defineOperator call when the file has none (one call only; otherwise wireIntoOperator explains). */
export function withList(source: string, list: string): string {
  if (new RegExp(`[\\s,{]${list}\\s*:\\s*\\[`).test(source)) return source;
  // Up to the end of the call's first line: the list goes on a line of its own, indented as the next property.
  const calls = [...source.matchAll(/defineOperator\(\{[ \t]*(\n)?/g)];
  if (calls.length !== 1) return source;
  const at = calls[0]!.index + calls[0]![0].length;
  const indent = /^([ \t]+)\S/.exec(source.slice(at))?.[1] ?? "  ";
  return `${source.slice(0, at)}${calls[0]![1] === undefined ? "\n" : ""}${indent}${list}: [],\n${source.slice(at)}`;
}

/**
 * Adds `create webhook` to the `create` command group.
 *
 * @example
 * ```sh
 * operant create webhook --kind Memcached --defaulting --validation
 * ```
 */
export function addCreateWebhookCommand(create: Command): void {
  create
    .command("webhook")
    .description("Add admission webhooks (src/webhooks/<kind>.ts) and/or a conversion (src/webhooks/<kind>-conversion.ts) for a kind of src/api, wired into src/operator.ts")
    .requiredOption("--kind <Kind>", "a kind defined in src/api, or a built-in kind: Pod with --group/--version, or group/version/Kind (apps/v1/Deployment, v1/Pod)")
    .option("--group <group>", "API group of a built-in kind (core for the core group)")
    .option("--version <version>", "API version of a built-in kind (e.g. v1)")
    .option("--defaulting", "a mutating webhook that sets defaults", false)
    .option("--validation", "a validating webhook that allows or denies", false)
    .option("--conversion", "a conversion between the kind's versions (hub and spokes)", false)
    .action(async (options: { kind: string; group?: string; version?: string; defaulting: boolean; validation: boolean; conversion: boolean }) => {
      const project = await findProject();
      await createWebhook(project.root, options);
      process.stderr.write(`\nNext: fill in src/webhooks/${kindFileName(builtInRef(options)?.kind ?? options.kind)}*.ts, then \`operant generate\` (config/webhook) and \`operant run\` (the webhook server listens on 127.0.0.1:9443).\n`);
    });
}
