// The files `operant create api` writes: a resource definition with a spec
// and status to fill in, and a controller skeleton that reconciles it.

/** What the templates need to know about the new API. */
export interface ApiValues {
  group: string;
  version: string;
  kind: string;
  scope: "Namespaced" | "Cluster";
  /** kebab-case file name of the new files, without `.ts`. */
  file: string;
  /** File name (without `.ts`) in src/api that defines the kind (differs from `file` only for a kind defined by hand). */
  apiFile: string;
  /** Variable name of the controller. */
  controller: string;
}

/** src/api/<kind>.ts */
export function resourceTs(v: ApiValues): string {
  return `// The ${v.kind} resource (${v.group}/${v.version}): its spec (what users ask
// for) and its status (what the operator observed), as TypeBox schemas. The
// TypeScript type and the CRD both come from them: after a change, run
// \`operant generate\` (config/crd) and \`operant install\` (the cluster).
import Type from "typebox";
import { Condition, defineResource, type ObjectOf } from "operant";

export const ${v.kind} = defineResource({
  group: "${v.group}",
  version: "${v.version}",
  kind: "${v.kind}",
  scope: "${v.scope}",
  spec: Type.Object({
    // TODO: the fields users set. An example to replace:
    foo: Type.Optional(Type.String({ description: "An example field of ${v.kind}." })),
    // A field with a default (import Defaulted from "operant"): Defaulted(Type.Integer({ minimum: 1 }), 1)
    // is optional when an object is written and always set when one is read.
  }),
  status: Type.Object({
    // TODO: what the operator observed, set with ctx.updateStatus().
    conditions: Type.Optional(Type.Array(Condition)),
  }),
});
export type ${v.kind} = ObjectOf<typeof ${v.kind}>;
`;
}

/** src/controllers/<kind>.ts */
export function controllerTs(v: ApiValues): string {
  const arg = v.controller.replace(/Controller$/, "");
  return `// The ${v.kind} controller: reconciles each ${v.kind} towards its spec. Declare
// what it creates (.owns(Deployment)) and what else it reads (.watches(Pod, …)):
// that is what its RBAC is generated from (\`operant generate\`).
import { Action, Controller } from "operant";
import { ${v.kind} } from "../api/${v.apiFile}.ts";

export const ${v.controller} = Controller.for(${v.kind}).reconcile(async (${arg}, ctx) => {
  ctx.log.info({ generation: ${arg}.metadata.generation }, "reconciling");
  // TODO: create or update what the spec asks for, e.g. await ctx.apply(Deployment, { … }),
  // then report what you observed:
  await ctx.updateStatus({ conditions: ctx.condition("Ready", true, "Reconciled", "the spec is applied") });
  // Every path ends by saying what next: Action.awaitChange() (converged; again when something
  // watched changes) or Action.requeueAfter("30s") (check again later). Throw to fail and retry
  // with backoff; throw a TerminalError when retrying cannot help.
  return Action.awaitChange();
});
`;
}
