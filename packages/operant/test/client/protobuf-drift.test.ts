// The committed protobuf decoders (src/client/protobuf/generated.ts) are what
// tools/protogen writes for the pinned k8s.io/api: regenerate into a temporary
// file and compare, so a change to the generator, its go.mod or the file by
// hand cannot go unnoticed.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GENERATE_COMMAND, GENERATED_FILE, generateProto } from "../../scripts/generate-proto.ts";

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
