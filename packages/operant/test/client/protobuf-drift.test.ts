// The committed protobuf decoders (src/client/protobuf/generated.ts) are what
// tools/protogen writes for the pinned k8s.io/api: regenerate into a temporary
// file and compare, so a change to the generator, its go.mod or the file by
// hand cannot go unnoticed.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GENERATE_COMMAND, GENERATED_FILE, generateProto, PROTOGEN_DIR } from "../../scripts/generate-proto.ts";
import { CONTROL_PLANE_VERSIONS } from "../../src/testing/assets/versions.ts";

test("protogen's go.mod pins k8s.io/api and k8s.io/apimachinery to the control plane's Kubernetes version", async () => {
  const goMod = await readFile(join(PROTOGEN_DIR, "go.mod"), "utf8");
  const want = CONTROL_PLANE_VERSIONS.kubernetes.replace(/^v1\./, "v0.");
  for (const mod of ["k8s.io/api", "k8s.io/apimachinery"]) {
    const have = new RegExp(`^\\s*${mod.replace(".", "\\.")} (v\\S+)`, "m").exec(goMod)?.[1];
    assert.equal(have, want, `${mod} in tools/protogen/go.mod is ${have}; the control plane is ${CONTROL_PLANE_VERSIONS.kubernetes}: set ${want} there, run \`${GENERATE_COMMAND}\` and commit both`);
  }
});

test("generated.ts is what tools/protogen generates (no drift)", { timeout: 600_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "operant-protogen-"));
  try {
    const fresh = join(dir, "generated.ts");
    await generateProto(fresh);
    const [want, have] = await Promise.all([readFile(fresh, "utf8"), readFile(GENERATED_FILE, "utf8")]);
    assert.ok(want.length > 10_000, "the generator wrote decoders");
    if (want !== have) {
      const a = want.split("\n");
      const b = have.split("\n");
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.fail(`src/client/protobuf/generated.ts is stale (first difference at line ${line + 1}: expected ${JSON.stringify(a[line])}, found ${JSON.stringify(b[line])}). Run \`${GENERATE_COMMAND}\` and commit the result.`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
