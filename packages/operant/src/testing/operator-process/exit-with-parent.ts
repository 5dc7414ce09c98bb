// Preloaded into every OperatorProcess (`node --import`): the process exits
// when its stdin closes, that is when the test process that started it is
// gone, so no operator outlives a crashed or killed test run. stdin is
// unref'd: it never keeps the process alive by itself.
process.stdin.on("end", () => process.exit(3));
process.stdin.on("close", () => process.exit(3));
process.stdin.resume();
process.stdin.unref();
