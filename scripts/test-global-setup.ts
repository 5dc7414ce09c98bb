// Runs once before all test files: builds the control-plane binaries if needed
// (so no test's timeout is spent compiling Go) and starts one shared `full`
// control plane that tests reach through ControlPlane.shared(). Tests that
// stop or break their API server start their own.
import { ControlPlane, SHARED_CONTROL_PLANE_ENV } from "../packages/operant/src/testing/index.ts";

let cp: ControlPlane | undefined;

export async function globalSetup(): Promise<void> {
  const started = Date.now();
  const say = (m: string) => process.stderr.write(`[control plane] ${m}\n`);
  cp = await ControlPlane.start({ profile: "full", onProgress: say });
  process.env[SHARED_CONTROL_PLANE_ENV] = cp.dir;
  say(`shared control plane up in ${((Date.now() - started) / 1000).toFixed(1)}s (${cp.dir})`);
}

export async function globalTeardown(): Promise<void> {
  await cp?.stop();
}
