// Preloaded into operator replicas run by the tests (`node --import`): the
// replica exits when its stdin closes, that is when the test process that
// started it is gone, so no replica outlives a crashed or killed test run.
// stdin is unref'd: it never keeps the replica alive by itself.
process.stdin.on("end", () => process.exit(3));
process.stdin.on("close", () => process.exit(3));
process.stdin.resume();
process.stdin.unref();
