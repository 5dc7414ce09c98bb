// Lint: typescript-eslint's type-aware recommended rules, plus the few that
// matter most in an asynchronous, long-running operator.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { layersConfig } from "./packages/operant/layers.mjs";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "docs/api/**", "bench/peers/**", "**/*.mjs", "eslint.config.js", "**/.scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite"] }] },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/utils", "**/utils.ts", "**/helpers", "**/helpers.ts"], message: "No grab-bag modules: put the function with the concept it serves." }] },
      ],
    },
  },
  // The layers of packages/operant/src (the table in packages/operant/layers.mjs) and no import cycles.
  layersConfig(`${import.meta.dirname}/packages/operant/src`, "packages/operant/src/**/*.ts"),
);
