// The layers of packages/operant/src, written once: for each folder, the
// folders its files may import (besides their own folder and its
// subfolders). The lint (eslint.config.js) turns this table into
// import-x/no-restricted-paths zones and adds import-x/no-cycle;
// docs/architecture.md's "Which way dependencies point" shows the same
// table, and test/layers/layers.test.ts checks that the two agree and that
// a wrong import fails the lint. A folder not listed here (src/index.ts, the
// public barrel) may import anything; nothing in src may import the barrel.
import { createNodeResolver, importX } from "eslint-plugin-import-x";

const RUNTIME = ["runtime/watcher", "runtime/cache", "runtime/queue", "runtime/events", "runtime/metrics", "runtime/controller", "runtime/status-page", "runtime/manager"];
const CONTROL_PLANE = ["testing/assets", "pki", "testing/control-plane"];

/** Folder (under src) → the folders it may import. Order: bottom layer first. */
export const LAYERS = {
  core: [],
  kinds: ["core"],
  // Certificates (a CA, serving and client certificates): what the webhook server's managed certificates and the control plane need.
  pki: ["core"],
  client: ["core", "kinds"],
  crd: ["core", "kinds", "client"],
  // Admission and conversion webhooks and their HTTPS server: built on the client and resource definitions, not on the manager (it is a runnable).
  webhook: ["core", "kinds", "client", "crd", "pki"],
  leader: ["core", "kinds", "client"],
  "runtime/watcher": ["core", "kinds", "client"],
  "runtime/metrics": ["core"],
  "runtime/queue": ["core", "runtime/metrics"],
  "runtime/events": ["core", "kinds", "client"],
  "runtime/cache": ["core", "kinds", "client", "runtime/watcher"],
  "runtime/controller": ["core", "kinds", "client", "runtime/cache", "runtime/events", "runtime/metrics", "runtime/queue"],
  "runtime/status-page": ["core", "runtime/cache", "runtime/controller"],
  // pki: the self-signed certificate of the secure metrics server when none is given.
  "runtime/manager": ["core", "kinds", "client", "leader", ...RUNTIME.filter((r) => r !== "runtime/manager"), "pki"],
  // Sharding wraps controller definitions and runs beside them in the manager: it sits on the runtime, below the operator
  // (and on webhook for its mutating webhook that assigns objects at creation).
  sharding: ["core", "kinds", "client", "leader", ...RUNTIME, "webhook"],
  operator: ["core", "kinds", "client", "crd", "leader", ...RUNTIME, "webhook", "sharding"],
  // The control plane (and the binaries and certificates it needs) stands on core alone, so the CLI can start one without the runtime.
  "testing/assets": ["core"],
  "testing/control-plane": ["core", "testing/assets", "pki"],
  testing: ["core", "kinds", "client", "crd", "leader", ...RUNTIME, "pki"],
  cli: ["core", "kinds", "client", "crd", "leader", ...RUNTIME, "operator", "webhook", "sharding", ...CONTROL_PLANE],
};

/**
 * The lint rules that enforce {@link LAYERS} on `<srcDir>`: one
 * no-restricted-paths zone per folder (everything in src is off limits but
 * the folder itself and what it may import), and no import cycles.
 *
 * @param {string} srcDir absolute path of packages/operant/src
 * @param {string} files the same files as a glob relative to the ESLint config's base directory
 * @returns {import("eslint").Linter.Config}
 */
export function layersConfig(srcDir, files) {
  const zones = Object.entries(LAYERS).map(([folder, allowed]) => ({
    target: `${srcDir}/${folder}`,
    from: srcDir,
    except: [folder, ...allowed].map((f) => `./${f}`),
    message: `${folder} may import only ${allowed.length ? allowed.join(", ") : "its own files"} (the layers table in packages/operant/layers.mjs; docs/architecture.md, "Which way dependencies point").`,
  }));
  return {
    files: [files],
    plugins: { "import-x": importX },
    settings: { "import-x/extensions": [".ts", ".js", ".mjs"], "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".mjs", ".json"] })] },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  };
}
