// A watch response is a stream of JSON documents, one per line. This reads
// them one at a time as bytes arrive, never holding more than the current
// document, so a watch can run for days over any amount of data.
//
// The work is linear in the bytes received: each chunk is searched for
// newlines once, the pieces of an unfinished line wait in a list, and they are
// joined and decoded once, when the line's newline arrives. Lines are split on
// bytes, not characters: the byte 0x0A never occurs inside a multi-byte UTF-8
// sequence, so a character split across chunks is decoded whole.
import type { Readable } from "node:stream";
import { OperantError } from "../../core/errors.ts";

/**
 * The default longest line {@link jsonLines} accepts: 16 MiB. A Kubernetes
 * object is at most what etcd stores in one request (1.5 MiB by default,
 * `--max-request-bytes`) and the API server accepts request bodies up to
 * 3 MiB; as JSON in a watch event it can grow (base64 of binary data, escaped
 * characters), so this leaves room for clusters that raise etcd's limit while
 * still bounding what one event can make this process hold.
 *
 * @example
 * ```ts
 * jsonLines(body, { maxLineBytes: 2 * DEFAULT_MAX_LINE_BYTES });
 * ```
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Options of {@link jsonLines}.
 *
 * @example
 * ```ts
 * const options: JsonLinesOptions = { maxLineBytes: 4 * 1024 * 1024 };
 * ```
 */
export interface JsonLinesOptions {
  /** Longest line accepted, in bytes (default {@link DEFAULT_MAX_LINE_BYTES}). A longer one fails the stream with `WatchEventTooLarge`. */
  maxLineBytes?: number;
  /** What the stream is, for messages (e.g. `watch ConfigMap`). Default `the watch stream`. */
  what?: string;
}

/**
 * Yields each newline-delimited JSON document of `stream` as soon as it is
 * complete. A line that is not valid JSON throws `InvalidResponse` (with the
 * start of the line); a line longer than `maxLineBytes` throws
 * `WatchEventTooLarge` as soon as that many bytes of it have arrived. After
 * either, the stream is unusable.
 *
 * @example
 * ```ts
 * for await (const event of jsonLines(response.body)) console.log(event);
 * ```
 */
export async function* jsonLines(stream: Readable | AsyncIterable<Uint8Array>, options: JsonLinesOptions = {}): AsyncGenerator<unknown> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const what = options.what ?? "the watch stream";
  // The pieces of the line being received (no newline in any of them), and their total length.
  let pieces: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const length = pendingBytes + nl - start;
      if (length > max) throw tooLarge(what, max, length);
      const line = pendingBytes === 0 ? chunk.subarray(start, nl) : Buffer.concat([...pieces, chunk.subarray(start, nl)], length);
      pieces = [];
      pendingBytes = 0;
      start = nl + 1;
      const doc = parseLine(line, what);
      if (doc !== BLANK) yield doc;
    }
    if (start < chunk.length) {
      pendingBytes += chunk.length - start;
      if (pendingBytes > max) throw tooLarge(what, max, pendingBytes);
      // Keep a copy of a short rest rather than a view that holds the whole chunk.
      pieces.push(start === 0 ? chunk : Buffer.from(chunk.subarray(start)));
    }
  }
  if (pendingBytes > 0) {
    const doc = parseLine(Buffer.concat(pieces, pendingBytes), what);
    if (doc !== BLANK) yield doc;
  }
}

const BLANK = Symbol("blank line");

function parseLine(bytes: Uint8Array, what: string): unknown {
  const line = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (line.trim() === "") return BLANK;
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new OperantError("InvalidResponse", `${what} carried a line that is not JSON: ${line.slice(0, 200)}${line.length > 200 ? "…" : ""}`, { cause: err, retryable: true });
  }
}

function tooLarge(what: string, max: number, seen: number): OperantError {
  return new OperantError(
    "WatchEventTooLarge",
    `${what} carried an event larger than the limit of ${formatBytes(max)} (${seen} bytes of it received); the stream was closed rather than hold it. ` +
      `Find the oversized object (list the kind and compare sizes) and shrink it, or raise the limit (the client's maxWatchEventBytes option) if objects this large are expected.`,
  );
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB` : `${n} bytes`;
}
