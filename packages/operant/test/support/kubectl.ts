// Runs the real kubectl against a control plane: the tests' independent client.
import { runCommand, type CommandResult } from "./command.ts";

/** Runs `kubectl --kubeconfig <kubeconfig> …args`, optionally feeding `input` on stdin. Never throws on a non-zero exit. */
export function kubectl(kubeconfig: string, args: string[], input?: string): Promise<CommandResult> {
  return runCommand("kubectl", ["--kubeconfig", kubeconfig, ...args], { input });
}

/** Like {@link kubectl} but throws with stderr on failure and returns stdout. */
export async function kubectlOk(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(kubeconfig, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** `kubectl get -o json`, parsed. */
export async function kubectlJson<T = unknown>(kubeconfig: string, args: string[]): Promise<T> {
  return JSON.parse(await kubectlOk(kubeconfig, ["get", ...args, "-o", "json"])) as T;
}
