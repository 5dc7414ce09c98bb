// Runs once before all test files: builds what tests need if it is not cached
// yet — the control-plane binaries, and the Go tools some tests run (helm, the
// OLM bundle validator, protogen for the decoders' drift check) — so no test's timeout is spent compiling Go, and
// starts one shared `full` control plane that tests reach through
// ControlPlane.shared(). Tests that stop or break their API server start their own.
import { protogenBinary } from "../packages/operant/scripts/generate-proto.ts";
import { ControlPlane, SHARED_CONTROL_PLANE_ENV, locateGoTool } from "../packages/operant/src/testing/index.ts";

let cp: ControlPlane | undefined;

export async function globalSetup(): Promise<void> {
  const started = Date.now();
  const say = (m: string) => process.stderr.write(`[control plane] ${m}\n`);
  const tool = (name: "helm" | "operant-bundle-validate") =>
    locateGoTool(name, { onProgress: (p) => p.phase !== "compiling" && process.stderr.write(`[go tools] ${name}: ${p.phase} [${Math.round(p.elapsedMs / 1000)}s]\n`) });
  // The tools build beside the control plane (both are Go builds, each cached after its first time).
  const tools = Promise.all([tool("helm"), tool("operant-bundle-validate"), protogenBinary()]);
  tools.catch(() => undefined); // awaited below; not an unhandled rejection while the control plane starts
  cp = await ControlPlane.start({ profile: "full", onProgress: say });
  process.env[SHARED_CONTROL_PLANE_ENV] = cp.dir;
  say(`shared control plane up in ${((Date.now() - started) / 1000).toFixed(1)}s (${cp.dir})`);
  await tools;
}

export async function globalTeardown(): Promise<void> {
  await cp?.stop();
}
