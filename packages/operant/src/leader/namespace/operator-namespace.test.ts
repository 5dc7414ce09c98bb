import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { operatorNamespace } from "./operator-namespace.ts";

test("operatorNamespace: explicit, else POD_NAMESPACE, else the ServiceAccount file, else undefined", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "operant-ns-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const missing = join(dir, "none");
  assert.equal(await operatorNamespace({ serviceAccountDir: missing }), undefined);
  await writeFile(join(dir, "namespace"), "from-file\n");
  assert.equal(await operatorNamespace({ serviceAccountDir: dir }), "from-file");
  assert.equal(await operatorNamespace({ serviceAccountDir: dir, env: { POD_NAMESPACE: "from-env" } }), "from-env");
  assert.equal(await operatorNamespace({ serviceAccountDir: dir, env: { POD_NAMESPACE: "from-env" }, namespace: "explicit" }), "explicit");
  assert.equal(await operatorNamespace({ serviceAccountDir: missing, env: { POD_NAMESPACE: " " } }), undefined);
});
