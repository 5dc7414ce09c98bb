import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { checkGo, goBinaryName, stagingModules } from "./build.ts";
import { MINIMUM_GO } from "./versions.ts";

// Lines from k8s.io/kubernetes v1.36.3's published go.mod: requires that name
// staging modules at v0.0.0, a replace block pointing them at ./staging, and
// the lines around it that must not be taken for staging replaces.
const KUBERNETES_GO_MOD = `// This is a generated file. Do not edit directly.
module k8s.io/kubernetes

go 1.26.0

godebug default=go1.26

require (
	bitbucket.org/bertimus9/systemstat v0.5.0
	k8s.io/api v0.0.0
	k8s.io/klog/v2 v2.140.0
	k8s.io/kube-openapi v0.0.0-20260317180543-43fb72c5454a
	sigs.k8s.io/yaml v1.6.0
)

require (
	k8s.io/gengo/v2 v2.0.0-20250922181213-ec3ebc5fd46b // indirect
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/apiextensions-apiserver => ./staging/src/k8s.io/apiextensions-apiserver
	k8s.io/cri-api => ./staging/src/k8s.io/cri-api
	k8s.io/sample-cli-plugin => ./staging/src/k8s.io/sample-cli-plugin
)

replace github.com/example/fork => github.com/example/fork v1.2.3
replace k8s.io/utils => ../utils
`;

describe("stagingModules", () => {
  test("lists every module the replace block points at ./staging, in order", () => {
    assert.deepEqual(stagingModules(KUBERNETES_GO_MOD), ["k8s.io/api", "k8s.io/apiextensions-apiserver", "k8s.io/cri-api", "k8s.io/sample-cli-plugin"]);
  });

  test("also reads a single-line `replace x => ./staging/…` directive", () => {
    assert.deepEqual(stagingModules("module k8s.io/kubernetes\n\nreplace k8s.io/kms => ./staging/src/k8s.io/kms\n"), ["k8s.io/kms"]);
  });

  test("a go.mod with no staging replaces is ControlPlaneBuildFailed, saying the recipe needs updating", () => {
    const noStaging = KUBERNETES_GO_MOD.replace(/replace \([\s\S]*?\)\n/, "");
    assert.throws(
      () => stagingModules(noStaging),
      (err: unknown) => isOperantError(err, "ControlPlaneBuildFailed") && /no staging replace directives/.test(err.message) && /recipe needs updating/.test(err.message),
    );
  });
});

describe("goBinaryName", () => {
  test("is the last element of the package path", () => {
    assert.equal(goBinaryName("k8s.io/kubernetes/cmd/kube-apiserver"), "kube-apiserver");
    assert.equal(goBinaryName("sigs.k8s.io/kwok/cmd/kwok"), "kwok");
  });

  test("skips a major-version suffix, as go build -o dir/ does", () => {
    assert.equal(goBinaryName("go.etcd.io/etcd/server/v3"), "server");
    assert.equal(goBinaryName("example.com/tool/v12"), "tool");
  });

  test("keeps an element that only looks like a version", () => {
    assert.equal(goBinaryName("example.com/v2tool"), "v2tool");
    assert.equal(goBinaryName("example.com/tool/v1.2"), "v1.2");
  });
});

describe("checkGo", () => {
  /** Runs `fn` with PATH set to a fresh directory holding only the given scripts. */
  async function withPath(scripts: Record<string, string>, fn: () => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), "operant-checkgo-"));
    const saved = process.env.PATH;
    try {
      for (const [name, body] of Object.entries(scripts)) {
        await writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
        await chmod(join(dir, name), 0o755);
      }
      process.env.PATH = dir;
      await fn();
    } finally {
      process.env.PATH = saved;
      await rm(dir, { recursive: true, force: true });
    }
  }

  test("with no go on PATH: GoToolchainMissing naming the Go to install and KUBEBUILDER_ASSETS", async () => {
    await withPath({}, async () => {
      await assert.rejects(checkGo(), (err: unknown) => {
        assert.ok(isOperantError(err, "GoToolchainMissing"), String(err));
        assert.match(err.message, /no `go` command on PATH/);
        assert.match(err.message, new RegExp(`Install Go >= ${MINIMUM_GO.replace(/\./g, "\\.")}`));
        assert.match(err.message, /KUBEBUILDER_ASSETS/);
        assert.match(err.message, /TEST_ASSET_ETCD/);
        return true;
      });
    });
  });

  test("a go older than the pinned modules need: GoToolchainMissing saying which version is needed", async () => {
    await withPath({ go: "echo go1.22.5" }, async () => {
      await assert.rejects(checkGo(), (err: unknown) => {
        assert.ok(isOperantError(err, "GoToolchainMissing"), String(err));
        assert.match(err.message, new RegExp(`go 1\\.22\\.5 is too old .*needs ${MINIMUM_GO.replace(/\./g, "\\.")}`));
        assert.match(err.message, /KUBEBUILDER_ASSETS/);
        return true;
      });
    });
  });

  test("a recent enough go: returns its version without the `go` prefix", async () => {
    await withPath({ go: "echo go1.27.1" }, async () => {
      assert.equal(await checkGo(), "1.27.1");
    });
    await withPath({ go: `echo go${MINIMUM_GO}` }, async () => {
      assert.equal(await checkGo(), MINIMUM_GO);
    });
  });
});
