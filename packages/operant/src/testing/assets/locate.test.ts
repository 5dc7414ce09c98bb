import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { builtBinaryPath } from "./build.ts";
import { defaultCacheDir, locateBinaries } from "./locate.ts";
import { BINARIES, CONTROL_PLANE_VERSIONS, type BinaryName } from "./versions.ts";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "operant-locate-"));
});
after(() => rm(root, { recursive: true, force: true }));

let n = 0;
/** A fresh directory under the test's root. */
async function freshDir(name: string): Promise<string> {
  const dir = join(root, `${name}-${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes a file standing in for a binary (executable unless told otherwise). */
async function fakeBinary(path: string, executable = true): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, "#!/bin/sh\nexit 0\n");
  await chmod(path, executable ? 0o755 : 0o644);
  return path;
}

/** A cache directory holding every binary, where the build code puts them. */
async function fullCache(): Promise<string> {
  const cacheDir = await freshDir("cache");
  for (const b of BINARIES) await fakeBinary(builtBinaryPath(cacheDir, b));
  return cacheDir;
}

/** A KUBEBUILDER_ASSETS-style directory holding the given binaries. */
async function assetsDir(names: readonly BinaryName[]): Promise<string> {
  const dir = await freshDir("assets");
  for (const b of names) await fakeBinary(join(dir, b));
  return dir;
}

const sources = (found: Map<BinaryName, { source: string }>) => Object.fromEntries([...found].map(([k, v]) => [k, v.source]));

describe("locateBinaries: where each binary comes from", () => {
  test("the cache, laid out as <module>-<version>/bin/<name>, when nothing else is set", async () => {
    const cacheDir = await fullCache();
    const found = await locateBinaries([...BINARIES], { env: {}, cacheDir, build: false });
    assert.deepEqual(sources(found), { etcd: "cache", "kube-apiserver": "cache", "kube-controller-manager": "cache", "kube-scheduler": "cache", kwok: "cache" });
    assert.equal(found.get("etcd")!.path, join(cacheDir, `etcd-${CONTROL_PLANE_VERSIONS.etcd}`, "bin", "etcd"));
    assert.equal(found.get("kube-scheduler")!.path, join(cacheDir, `kubernetes-${CONTROL_PLANE_VERSIONS.kubernetes}`, "bin", "kube-scheduler"));
    assert.equal(found.get("kwok")!.path, join(cacheDir, `kwok-${CONTROL_PLANE_VERSIONS.kwok}`, "bin", "kwok"));
  });

  test("KUBEBUILDER_ASSETS wins over the cache for the binaries it holds", async () => {
    const cacheDir = await fullCache();
    const assets = await assetsDir(["etcd", "kube-apiserver"]);
    const found = await locateBinaries(["etcd", "kube-apiserver", "kwok"], { env: { KUBEBUILDER_ASSETS: assets }, cacheDir, build: false });
    assert.deepEqual(sources(found), { etcd: "KUBEBUILDER_ASSETS", "kube-apiserver": "KUBEBUILDER_ASSETS", kwok: "cache" });
    assert.equal(found.get("etcd")!.path, join(assets, "etcd"));
  });

  test("a non-executable file in KUBEBUILDER_ASSETS is passed over for the cache", async () => {
    const cacheDir = await fullCache();
    const assets = await freshDir("assets");
    await fakeBinary(join(assets, "etcd"), false);
    const found = await locateBinaries(["etcd"], { env: { KUBEBUILDER_ASSETS: assets }, cacheDir, build: false });
    assert.equal(found.get("etcd")!.source, "cache");
  });

  test("TEST_ASSET_<NAME> wins over KUBEBUILDER_ASSETS and the cache, for that binary only", async () => {
    const cacheDir = await fullCache();
    const assets = await assetsDir(BINARIES);
    const mine = await fakeBinary(join(await freshDir("explicit"), "my-apiserver"));
    const found = await locateBinaries([...BINARIES], { env: { KUBEBUILDER_ASSETS: assets, TEST_ASSET_KUBE_APISERVER: mine }, cacheDir, build: false });
    assert.deepEqual(sources(found), {
      etcd: "KUBEBUILDER_ASSETS",
      "kube-apiserver": "TEST_ASSET",
      "kube-controller-manager": "KUBEBUILDER_ASSETS",
      "kube-scheduler": "KUBEBUILDER_ASSETS",
      kwok: "KUBEBUILDER_ASSETS",
    });
    assert.equal(found.get("kube-apiserver")!.path, mine);
  });

  test("variables are read from the env option, not from process.env", async () => {
    const cacheDir = await fullCache();
    const assets = await assetsDir(["etcd"]);
    const saved = process.env.KUBEBUILDER_ASSETS;
    process.env.KUBEBUILDER_ASSETS = assets;
    try {
      const found = await locateBinaries(["etcd"], { env: {}, cacheDir, build: false });
      assert.equal(found.get("etcd")!.source, "cache");
    } finally {
      if (saved === undefined) delete process.env.KUBEBUILDER_ASSETS;
      else process.env.KUBEBUILDER_ASSETS = saved;
    }
  });
});

describe("locateBinaries: errors", () => {
  test("TEST_ASSET_<NAME> pointing at a non-executable file: ControlPlaneBinaryMissing naming the variable", async () => {
    const cacheDir = await fullCache();
    const notExec = await fakeBinary(join(await freshDir("explicit"), "etcd"), false);
    await assert.rejects(locateBinaries(["etcd"], { env: { TEST_ASSET_ETCD: notExec }, cacheDir, build: false }), (err: unknown) => {
      assert.ok(isOperantError(err, "ControlPlaneBinaryMissing"), String(err));
      assert.ok(err.message.includes(`TEST_ASSET_ETCD=${notExec} is not an executable file`), err.message);
      assert.match(err.message, /unset it/);
      return true;
    });
  });

  test("TEST_ASSET_<NAME> pointing at nothing is the same error, even with a cached binary to fall back on", async () => {
    const cacheDir = await fullCache();
    const missing = join(root, "no-such-dir", "kube-controller-manager");
    await assert.rejects(
      locateBinaries(["kube-controller-manager"], { env: { TEST_ASSET_KUBE_CONTROLLER_MANAGER: missing }, cacheDir, build: false }),
      (err: unknown) => isOperantError(err, "ControlPlaneBinaryMissing") && err.message.startsWith(`TEST_ASSET_KUBE_CONTROLLER_MANAGER=${missing} `),
    );
  });

  test("build: false with nothing found: ControlPlaneBinaryMissing naming the binaries, where it looked and what to do", async () => {
    const cacheDir = await freshDir("empty-cache");
    const assets = await assetsDir(["etcd"]);
    await assert.rejects(locateBinaries(["etcd", "kube-apiserver", "kwok"], { env: { KUBEBUILDER_ASSETS: assets }, cacheDir, build: false }), (err: unknown) => {
      assert.ok(isOperantError(err, "ControlPlaneBinaryMissing"), String(err));
      assert.match(err.message, /^no kube-apiserver, kwok binary found/);
      assert.ok(err.message.includes(`looked at TEST_ASSET_*, KUBEBUILDER_ASSETS and ${cacheDir}`), err.message);
      assert.match(err.message, /`npx operant cluster build`/);
      assert.match(err.message, /set KUBEBUILDER_ASSETS/);
      return true;
    });
  });
});

describe("defaultCacheDir", () => {
  test("OPERANT_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache", () => {
    assert.equal(defaultCacheDir({ OPERANT_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x" }), "/c/controlplane");
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: "/x" }), "/x/operant/controlplane");
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: "" }), join(homedir(), ".cache", "operant", "controlplane"));
    assert.equal(defaultCacheDir({}), join(homedir(), ".cache", "operant", "controlplane"));
  });
});
