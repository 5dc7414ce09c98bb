// `operant create webhook --kind K [--defaulting] [--validation] [--conversion]`:
// a defaulting and/or validating webhook for a kind of src/api, and/or the
// skeleton of its conversion, wired into src/operator.ts's `webhooks` and
// `conversions` lists (added when missing), as kubebuilder's `create webhook`.
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OperantError } from "../../core/errors.ts";
import { kindFileName } from "../names/names.ts";
import { findProject, OPERATOR_FILE, reportWrite, writeIfChanged } from "../project/project.ts";
import { wireIntoOperator, type OperatorFileAddition } from "./operator-file.ts";
import type { Command } from "commander";

/** Options of {@link createWebhook}. */
export interface CreateWebhookOptions {
  kind: string;
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

/** src/webhooks/<kind>.ts */
export function admissionWebhookTs(kind: string, apiFile: string, defaulting: boolean, validation: boolean): string {
  const imports = ["Admission", ...(defaulting ? ["defineMutatingWebhook"] : []), ...(validation ? ["defineValidatingWebhook"] : [])];
  const parts = [
    `// Admission webhooks for ${kind}: the API server calls them on every create and
// update, before the object is stored. Rules the CRD's schema and CEL cannot
// express live here (anything that needs another object, a quota, uniqueness).
// \`operant generate\` writes their configurations to config/webhook.
import { ${imports.join(", ")} } from "operant/webhook";
import { ${kind} } from "../api/${apiFile}.ts";
`,
  ];
  if (defaulting) {
    parts.push(`
/** Sets defaults on ${kind}s as they are created or updated. */
export const default${kind} = defineMutatingWebhook({
  kind: ${kind},
  mutate: (req) => {
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
  validate: (req) => {
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
  const { kind } = options;
  const defaulting = options.defaulting ?? false;
  const validation = options.validation ?? false;
  const conversion = options.conversion ?? false;
  if (!defaulting && !validation && !conversion) throw new OperantError("InvalidArgument", "nothing to create: pass --defaulting, --validation and/or --conversion.");
  const apiFile = await apiFileOf(root, kind);
  if (!apiFile) throw new OperantError("UnknownKind", `kind ${kind} is not defined in src/api: create it first with \`operant create api --kind ${kind} …\`, or check the spelling.`);
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
  const calls = [...source.matchAll(/defineOperator\(\{\s*\n?/g)];
  if (calls.length !== 1) return source;
  const at = calls[0]!.index + calls[0]![0].length;
  const indent = /\n([ \t]+)\S/.exec(source.slice(at - 1))?.[1] ?? "  ";
  return `${source.slice(0, at)}${source[at - 1] === "\n" ? "" : "\n"}${indent}${list}: [],\n${source.slice(at)}`;
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
    .requiredOption("--kind <Kind>", "a kind defined in src/api")
    .option("--defaulting", "a mutating webhook that sets defaults", false)
    .option("--validation", "a validating webhook that allows or denies", false)
    .option("--conversion", "a conversion between the kind's versions (hub and spokes)", false)
    .action(async (options: { kind: string; defaulting: boolean; validation: boolean; conversion: boolean }) => {
      const project = await findProject();
      await createWebhook(project.root, options);
      process.stderr.write(`\nNext: fill in src/webhooks/${kindFileName(options.kind)}*.ts, then \`operant generate\` (config/webhook) and \`operant run\` (the webhook server listens on 127.0.0.1:9443).\n`);
    });
}
