// A watch response is a stream of JSON documents, one per line. This reads
// them one at a time as bytes arrive, never holding more than the current
// document, so a watch can run for days over any amount of data.
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";
import { OperantError } from "../../core/errors.ts";

/**
 * Yields each newline-delimited JSON document of `stream` as soon as it is
 * complete. A line that is not valid JSON throws `InvalidResponse` (with the
 * start of the line), after which the stream is unusable.
 *
 * @example
 * ```ts
 * for await (const event of jsonLines(response.body)) console.log(event);
 * ```
 */
export async function* jsonLines(stream: Readable): AsyncGenerator<unknown> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending += decoder.write(chunk);
    let start = 0;
    for (let nl = pending.indexOf("\n", start); nl >= 0; nl = pending.indexOf("\n", start)) {
      const line = pending.slice(start, nl);
      start = nl + 1;
      if (line.trim()) yield parseLine(line);
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending.trim()) yield parseLine(pending);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new OperantError("InvalidResponse", `the watch stream carried a line that is not JSON: ${line.slice(0, 200)}${line.length > 200 ? "…" : ""}`, { cause: err, retryable: true });
  }
}
