// `operant bundle --validate`: runs the operator-framework validators
// (github.com/operator-framework/api, built once into ~/.cache/operant/tools)
// on a bundle directory and sorts what they say into errors and warnings.
import { spawn } from "node:child_process";
import { OperantError } from "../../core/errors.ts";
import { locateGoTool, type GoToolOptions } from "../../testing/assets/go-tools.ts";

/** One thing a validator said about the bundle. */
export interface BundleFinding {
  /** Which validator: `ClusterServiceVersion`, `OperatorHubV2`, `GoodPractices`, … */
  readonly validator: string;
  /** The manifest or bundle it is about. */
  readonly name: string;
  readonly level: "error" | "warning";
  readonly detail: string;
}

/** What {@link validateBundleDir} found. */
export interface BundleValidation {
  readonly errors: readonly BundleFinding[];
  readonly warnings: readonly BundleFinding[];
}

interface RawResult {
  validator: string;
  name: string;
  errors: { detail: string }[];
  warnings: { detail: string }[];
}

/**
 * Validates the bundle in `dir` (the directory holding manifests/ and
 * metadata/) with the operator-framework validators: the default bundle
 * validators (CSV, CRDs, bundle), OperatorHubV2, standard capabilities and
 * categories, objects, deprecated APIs and good practices.
 *
 * @throws OperantError `BundleValidatorFailed` when the validator cannot read the bundle or crashes; `GoToolchainMissing` when it has to be built and there is no Go
 * @example
 * ```ts
 * const { errors, warnings } = await validateBundleDir("bundle");
 * ```
 */
export async function validateBundleDir(dir: string, options: GoToolOptions & { k8sVersion?: string } = {}): Promise<BundleValidation> {
  const bin = await locateGoTool("operant-bundle-validate", options);
  const args = [dir, ...(options.k8sVersion ? [`k8s-version=${options.k8sVersion}`] : [])];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], ...(options.signal && { signal: options.signal }) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new OperantError("BundleValidatorFailed", `the bundle validator could not check ${dir} (exit ${code}): ${stderr.trim()}. Check that ${dir} holds manifests/ and metadata/ (run \`operant bundle\` first).`));
    });
  });
  const results = JSON.parse(out) as RawResult[];
  const findings = (level: BundleFinding["level"]) =>
    results.flatMap((r) => (level === "error" ? r.errors : r.warnings).map((f) => ({ validator: r.validator, name: r.name, level, detail: f.detail.replace(/^(Error|Warning): /, "") })));
  return { errors: findings("error"), warnings: findings("warning") };
}
