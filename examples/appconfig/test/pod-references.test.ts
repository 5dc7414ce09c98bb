// Which ConfigMaps and Secrets a Pod template uses.
import assert from "node:assert/strict";
import { test } from "node:test";
import { podReferences } from "../src/controllers/pod-references.ts";

test("finds ConfigMaps and Secrets in env, envFrom, volumes and projected volumes of containers and init containers", () => {
  const refs = podReferences({
    spec: {
      initContainers: [{ name: "init", envFrom: [{ secretRef: { name: "init-secret" } }] }],
      containers: [
        {
          name: "app",
          env: [
            { name: "A", valueFrom: { configMapKeyRef: { name: "env-cm", key: "a" } } },
            { name: "B", valueFrom: { secretKeyRef: { name: "env-secret", key: "b" } } },
            { name: "C", value: "literal" },
            { name: "D", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          ],
          envFrom: [{ configMapRef: { name: "envfrom-cm" } }],
        },
      ],
      volumes: [
        { name: "v1", configMap: { name: "vol-cm" } },
        { name: "v2", secret: { secretName: "vol-secret" } },
        { name: "v3", projected: { sources: [{ configMap: { name: "proj-cm" } }, { secret: { name: "proj-secret" } }, { downwardAPI: {} }] } },
        { name: "v4", emptyDir: {} },
      ],
      imagePullSecrets: [{ name: "pull-secret" }],
    },
  });
  assert.deepEqual([...refs.configMaps].sort(), ["env-cm", "envfrom-cm", "proj-cm", "vol-cm"]);
  assert.deepEqual([...refs.secrets].sort(), ["env-secret", "init-secret", "proj-secret", "vol-secret"]);
});

test("a template without references (or none at all) uses nothing", () => {
  for (const t of [undefined, {}, { spec: { containers: [{ name: "c" }] } }]) {
    const refs = podReferences(t);
    assert.equal(refs.configMaps.size + refs.secrets.size, 0);
  }
});
