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
  test("follows config/default's resources into directories and files, and orders objects for applying", async () => {
    const dir = await files({
      "config/default/kustomization.yaml": k("../manager", "../rbac", "svc.yaml"),
      "config/default/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: m, namespace: ns}\n",
      "config/manager/kustomization.yaml": k("manager.yaml"),
      "config/manager/manager.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec: {template: {spec: {containers: [{name: manager, image: old}, {name: sidecar, image: keep}]}}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n",
      "config/rbac/kustomization.yaml": k("role.yaml"),
      "config/rbac/role.yaml": "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n---\n",
    });
    const set = await readConfigSet(dir);
    assert.deepEqual(set.map((o) => `${o.object.kind}:${o.source}`), ["Namespace:config/manager/manager.yaml", "ClusterRole:config/rbac/role.yaml", "Service:config/default/svc.yaml", "Deployment:config/manager/manager.yaml"]);
    const images = withImage(set, "new").find((o) => o.object.kind === "Deployment")!.object as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } };
    assert.deepEqual(images.spec.template.spec.containers.map((c) => c.image), ["new", "keep"]);
    assert.equal((set.find((o) => o.object.kind === "Deployment")!.object as unknown as typeof images).spec.template.spec.containers[0]!.image, "old", "withImage copies");
  });

  test("refuses kustomize features it does not apply, missing files and documents without kind, saying what to do", async () => {
    const patched = await files({ "config/default/kustomization.yaml": `${k()}namePrefix: x-\npatches: []\n` });
    await assert.rejects(readConfigSet(patched), (e) => isOperantError(e, "KustomizeUnsupported") && /uses namePrefix, patches.*kubectl apply --server-side -k config\/default/.test(e.message));
    const missing = await files({ "config/default/kustomization.yaml": k("nope.yaml") });
    await assert.rejects(readConfigSet(missing), (e) => isOperantError(e, "ConfigMissing") && /lists nope\.yaml, which does not exist: run `operant generate`/.test(e.message));
    await assert.rejects(readConfigSet(await files({})), (e) => isOperantError(e, "ConfigMissing") && /config\/default\/kustomization\.yaml does not exist: run `operant generate`/.test(e.message));
    const bad = await files({ "config/default/kustomization.yaml": k("x.yaml"), "config/default/x.yaml": "metadata: {name: a}\n" });
    await assert.rejects(readConfigSet(bad), (e) => isOperantError(e, "ConfigInvalid") && /no apiVersion, kind or metadata\.name/.test(e.message));
  });
});
