#!/usr/bin/env node
// Regenerates src/client/protobuf/generated.ts, the protobuf decoders of the
// built-in kinds, with the Go program in tools/protogen (built once per
// version of its sources into ~/.cache/operant/tools/protogen-<hash>, like the
// other Go tools).
//
//   npm run generate:proto               write src/client/protobuf/generated.ts
//   node scripts/generate-proto.ts FILE  write FILE instead (the drift test does)
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkGo, goTool } from "../src/testing/assets/build.ts";
import { defaultToolsDir } from "../src/testing/assets/go-tools.ts";
import { acquireDirLock } from "../src/testing/assets/lock.ts";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
/** The Go program's sources. */
export const PROTOGEN_DIR = join(pkg, "tools", "protogen");
/** Where the generated decoders live. */
export const GENERATED_FILE = join(pkg, "src", "client", "protobuf", "generated.ts");
/** The command that regenerates them, for messages. */
export const GENERATE_COMMAND = "npm run generate:proto";

/** Builds protogen (once per content of its sources) and returns the binary's path. */
export async function protogenBinary(): Promise<string> {
  const hash = createHash("sha256");
  for (const f of ["go.mod", "go.sum", "main.go"]) hash.update(f).update(await readFile(join(PROTOGEN_DIR, f)));
  const dir = join(defaultToolsDir(), `protogen-${hash.digest("hex").slice(0, 12)}`);
  const bin = join(dir, "bin", "protogen");
  if (existsSync(bin)) return bin;
  await checkGo();
  await mkdir(dir, { recursive: true });
  const release = await acquireDirLock(`${dir}.lock`, { waitingMessage: "another process is building protogen" });
  try {
    if (existsSync(bin)) return bin;
    const staging = join(dir, `bin.partial-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    // -mod=readonly: the committed go.mod/go.sum decide the versions; nothing is rewritten in the repository.
    await goTool().run(["build", "-mod=readonly", "-trimpath", "-o", join(staging, "protogen"), "."], PROTOGEN_DIR);
    await rm(join(dir, "bin"), { recursive: true, force: true });
    await rename(staging, join(dir, "bin"));
    return bin;
  } finally {
    await release();
  }
}

/** Writes the decoders to `out` (default: the committed file). */
export async function generateProto(out: string = GENERATED_FILE): Promise<void> {
  const bin = await protogenBinary();
  const { execFile } = await import("node:child_process");
  await new Promise<void>((resolve, reject) => {
    execFile(bin, [out], (err, _stdout, stderr) => (err ? reject(new Error(`protogen failed: ${stderr || err.message}`)) : resolve()));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? GENERATED_FILE;
  await generateProto(out);
  console.log(`wrote ${out}`);
}
