// Helper process: a replay of a real watch stream. It answers one LIST (empty)
// and one WATCH that streams `count` MODIFIED events built from Pods recorded
// from the API server (their JSON as the server sent it, managedFields
// included), as fast as the socket takes them. It measures nothing: the
// informer on the other end does.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const [podsFile, countArg] = process.argv.slice(2);
const count = Number(countArg);
const pods = (JSON.parse(readFileSync(podsFile!, "utf8")) as { items: { metadata: { resourceVersion: string } }[] }).items;
const templates = pods.map((p) => {
  p.metadata.resourceVersion = "__RV__";
  return `{"type":"MODIFIED","object":${JSON.stringify({ apiVersion: "v1", kind: "Pod", ...p })}}\n`.split("__RV__");
});
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  res.setHeader("content-type", "application/json");
  const watch = url.searchParams.get("watch");
  if (watch !== "1" && watch !== "true") {
    res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "1000" }, items: [] }));
    return;
  }
  let i = 0;
  const pump = () => {
    while (i < count) {
      const [a, b] = templates[i % templates.length]!;
      const ok = res.write(a + String(1001 + i) + b);
      i++;
      if (!ok) {
        res.once("drain", pump);
        return;
      }
    }
  };
  pump();
});
server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + "\n"));
