import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { withImage } from "./deploy.ts";
import { readConfigSet } from "./config-set.ts";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "operant-config-set-"));
});
after(() => rm(root, { recursive: true, force: true }));

async function files(entries: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(root, "p-"));
  for (const [rel, text] of Object.entries(entries)) {
    await mkdir(join(dir, rel, ".."), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

const k = (...resources: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join("")}`;

describe("readConfigSet", () => {
  test("builds config/default with kustomize (patches, namePrefix, namespace) and orders objects for applying", async () => {
    const dir = await files({
      "config/default/kustomization.yaml": `${k("../manager", "../rbac", "svc.yaml")}namespace: prod\nnamePrefix: p-\npatches:\n  - path: patch.yaml\n`,
      "config/default/patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec: {replicas: 3}\n",
      "config/default/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: m, namespace: ns}\n",
      "config/manager/kustomization.yaml": k("manager.yaml"),
      "config/manager/manager.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec: {replicas: 1, template: {spec: {containers: [{name: manager, image: old}, {name: sidecar, image: keep}]}}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n",
      "config/rbac/kustomization.yaml": k("role.yaml"),
      "config/rbac/role.yaml": "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n---\n",
    });
    const set = await readConfigSet(dir);
    assert.deepEqual(set.map((o) => `${o.object.kind} ${o.object.metadata.namespace ?? ""}/${o.object.metadata.name} from ${o.source}`), ["Namespace /prod from config/default", "ClusterRole /p-r from config/default", "Service prod/p-m from config/default", "Deployment prod/p-d from config/default"]);
    const deployment = set.find((o) => o.object.kind === "Deployment")!.object as unknown as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
    assert.equal(deployment.spec.replicas, 3, "the patch applied");
    const images = withImage(set, "new").find((o) => o.object.kind === "Deployment")!.object as unknown as typeof deployment;
    assert.deepEqual(images.spec.template.spec.containers.map((c) => c.image), ["new", "keep"]);
    assert.equal(deployment.spec.template.spec.containers[0]!.image, "old", "withImage copies");
    const overlay = await files({
      "config/default/kustomization.yaml": k("svc.yaml"),
      "config/default/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: m}\n",
      "config/overlays/staging/kustomization.yaml": `${k("../../default")}nameSuffix: -staging\n`,
    });
    assert.deepEqual((await readConfigSet(overlay, "config/overlays/staging")).map((o) => o.object.metadata.name), ["m-staging"], "an overlay");
  });

  test("says what to do when kustomize fails, the kustomization is missing, or there is no kubectl", async () => {
    const missing = await files({ "config/default/kustomization.yaml": k("nope.yaml") });
    await assert.rejects(readConfigSet(missing), (e) => isOperantError(e, "KustomizeFailed") && /`kubectl kustomize config\/default` failed \(exit 1\): .*nope\.yaml.*Fix the kustomization/.test(e.message));
    await assert.rejects(readConfigSet(await files({})), (e) => isOperantError(e, "ConfigMissing") && /config\/default\/kustomization\.yaml does not exist: run `operant generate`/.test(e.message));
    const prior = process.env.OPERANT_KUBECTL;
    process.env.OPERANT_KUBECTL = join(root, "no-such-kubectl");
    try {
      await assert.rejects(readConfigSet(missing), (e) => isOperantError(e, "KustomizeFailed") && /there is no `.*no-such-kubectl` on PATH\. Install kubectl/.test(e.message));
    } finally {
      if (prior === undefined) delete process.env.OPERANT_KUBECTL;
      else process.env.OPERANT_KUBECTL = prior;
    }
  });
});
