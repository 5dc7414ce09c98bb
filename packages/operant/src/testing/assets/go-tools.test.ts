import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { defaultToolsDir, GO_TOOL_VERSIONS, locateGoTool } from "./go-tools.ts";

describe("Go tools", () => {
  test("the cache directory: OPERANT_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache, each under operant/tools", () => {
    assert.equal(defaultToolsDir({ OPERANT_CACHE_DIR: "/c" }), join("/c", "tools"));
    assert.equal(defaultToolsDir({ XDG_CACHE_HOME: "/x" }), join("/x", "operant", "tools"));
    assert.match(defaultToolsDir({}), /\/\.cache\/operant\/tools$/);
  });

  test("an environment variable names a binary of one's own; nothing is built then", async () => {
    assert.equal(await locateGoTool("helm", { env: { OPERANT_HELM: "/opt/helm" } }), "/opt/helm");
    assert.equal(await locateGoTool("operant-bundle-validate", { env: { OPERANT_BUNDLE_VALIDATE: "/opt/v" } }), "/opt/v");
  });

  test("versions are pinned in one place, and name the cache directory", () => {
    assert.match(GO_TOOL_VERSIONS.helm, /^v4\.\d+\.\d+$/);
    assert.match(GO_TOOL_VERSIONS["operator-framework-api"], /^v0\.\d+\.\d+$/);
  });
});
