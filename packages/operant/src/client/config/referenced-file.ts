// Files a kubeconfig points at (CA bundles, client certificates and keys,
// token files): read them with an error that names the file, the field that
// referenced it, and what to do.
import { readFile } from "node:fs/promises";
import { OperantError } from "../../core/errors.ts";

/**
 * Reads a file a kubeconfig references. Throws
 * `KubeconfigReferencedFileUnreadable` naming `what` (e.g. `client-key of
 * user "dev" in /home/x/.kube/config`) when it is missing or unreadable.
 *
 * @example
 * ```ts
 * const ca = await readReferencedFile("/etc/k8s/ca.crt", `certificate-authority of cluster "dev"`);
 * ```
 */
export async function readReferencedFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new OperantError(
      "KubeconfigReferencedFileUnreadable",
      `${what}: file ${path} ${describeReadError(err)}. Fix the path in the kubeconfig (relative paths are resolved against the kubeconfig file's directory), or embed the content in the matching -data field.`,
      { cause: err },
    );
  }
}

/**
 * Why a file read failed, in words: `does not exist`, `is a directory`, ….
 *
 * @example
 * ```ts
 * `token file ${path} ${describeReadError(err)}` // "token file /x does not exist"
 * ```
 */
export function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "does not exist";
  if (code === "EACCES" || code === "EPERM") return "is not readable by this process (permission denied)";
  if (code === "EISDIR") return "is a directory";
  return `cannot be read (${err instanceof Error ? err.message : String(err)})`;
}
