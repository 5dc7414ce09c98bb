import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { readConfigSet } from "../deploy/config-set.ts";
import { generateConfig } from "./generate.ts";
import { GENERATED_HEADER } from "./layout.ts";

const src = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const work = await mkdtemp(join(tmpdir(), "operant-generate-"));
after(() => rm(work, { recursive: true, force: true }));

/** A project whose src/operator.ts defines a one-resource operator (imports operant's source by absolute path). */
async function project(): Promise<string> {
  const root = await mkdtemp(join(work, "p-"));
  await mkdir(join(root, "src"), { recursive: true });
  await writeFile(
    join(root, "src/operator.ts"),
    `import Type from ${JSON.stringify(import.meta.resolve("typebox"))};
import { defineResource } from ${JSON.stringify(src("crd/resource/resource.ts"))};
import { Controller } from ${JSON.stringify(src("runtime/controller/builder.ts"))};
import { defineOperator } from ${JSON.stringify(src("operator/operator.ts"))};
const Widget = defineResource({ group: "toys.example.com", version: "v1", kind: "Widget", scope: "Namespaced", spec: Type.Object({ size: Type.Integer({ minimum: 2 }) }) });
export default defineOperator({ name: "widget-operator", resources: [Widget], controllers: [Controller.for(Widget).reconcile(() => { throw new Error("not run"); })] });
`,
  );
  return root;
}

type Deployment = { kind: string; spec: { replicas: number } };

describe("generateConfig", () => {
  test("the user's edits survive generate: replicas: 2 in the manager patch, a component turned on, an edited sample", async () => {
    const root = await project();
    const first = await generateConfig(root, { quiet: true });
    assert.equal(first.get("config/default/manager_patch.yaml"), "created");
    assert.equal(first.get("config/samples/toys.example.com_v1_widget.yaml"), "created");
    const patch = join(root, "config/default/manager_patch.yaml");
    const kustomization = join(root, "config/default/kustomization.yaml");
    const sample = join(root, "config/samples/toys.example.com_v1_widget.yaml");
    assert.match(await readFile(sample, "utf8"), /size: 2\n/, "the sample is valid: the minimum");
    await writeFile(patch, (await readFile(patch, "utf8")).replace("# replicas: 2", "replicas: 2"));
    await writeFile(kustomization, (await readFile(kustomization, "utf8")).replace("# - ../network-policy", "- ../network-policy"));
    await writeFile(sample, (await readFile(sample, "utf8")).replace("size: 2", "size: 5"));
    const edited = { patch: await readFile(patch, "utf8"), kustomization: await readFile(kustomization, "utf8"), sample: await readFile(sample, "utf8") };

    const again = await generateConfig(root, { quiet: true });
    assert.equal(again.get("config/default/manager_patch.yaml"), "kept");
    assert.equal(again.get("config/default/kustomization.yaml"), "kept");
    assert.equal(again.has("config/samples/toys.example.com_v1_widget.yaml"), false, "an edited sample is not even considered");
    assert.deepEqual({ patch: await readFile(patch, "utf8"), kustomization: await readFile(kustomization, "utf8"), sample: await readFile(sample, "utf8") }, edited);
    assert.ok([...again.values()].every((r) => r === "unchanged" || r === "kept"), "nothing else changed either");

    const built = (await readConfigSet(root)).map((o) => o.object);
    assert.equal((built.find((o) => o.kind === "Deployment") as unknown as Deployment).spec.replicas, 2, "kustomize applies the user's patch");
    assert.ok(built.some((o) => o.kind === "NetworkPolicy" && o.metadata.name === "widget-operator-allow-metrics-traffic" && o.metadata.namespace === "widget-operator-system"));
  });

  test("a project from an earlier layout: operant's old config/default is replaced, its old files removed, a user's file kept", async () => {
    const root = await project();
    await mkdir(join(root, "config/default"), { recursive: true });
    await writeFile(join(root, "config/default/kustomization.yaml"), `${GENERATED_HEADER}resources: [../crd, ../rbac, ../manager, metrics_service.yaml]\n`);
    await writeFile(join(root, "config/default/metrics_service.yaml"), `${GENERATED_HEADER}kind: Service\n`);
    await writeFile(join(root, "config/default/manager_patch.yaml"), "# mine\n");
    const r = await generateConfig(root, { quiet: true });
    assert.equal(r.get("config/default/kustomization.yaml"), "updated");
    assert.equal(r.get("config/default/metrics_service.yaml"), "removed");
    assert.equal(existsSync(join(root, "config/default/metrics_service.yaml")), false);
    assert.equal(r.get("config/default/manager_patch.yaml"), "kept");
    assert.equal(await readFile(join(root, "config/default/manager_patch.yaml"), "utf8"), "# mine\n");
  });
});
