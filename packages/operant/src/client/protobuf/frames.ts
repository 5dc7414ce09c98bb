// A protobuf watch response (`application/vnd.kubernetes.protobuf;stream=watch`)
// is a sequence of frames, each a 4-byte big-endian length and that many
// bytes (apimachinery's length-delimited framer). This splits a byte stream
// into frames as they arrive, holding at most one frame, and refuses a frame
// longer than the caller's limit as soon as its length is read.
import type { Readable } from "node:stream";
import { OperantError } from "../../core/errors.ts";
import { DEFAULT_MAX_LINE_BYTES } from "../transport/json-lines.ts";

/**
 * Options of {@link lengthFrames}.
 *
 * @example
 * ```ts
 * const options: LengthFramesOptions = { maxFrameBytes: 4 * 1024 * 1024, what: "watch Pod" };
 * ```
 */
export interface LengthFramesOptions {
  /** Longest frame accepted (default 16 MiB, as for JSON lines). A longer one fails the stream with `WatchEventTooLarge`. */
  maxFrameBytes?: number;
  /** What the stream is, for messages. */
  what?: string;
}

/**
 * Yields each frame of a length-delimited stream. A frame whose length is
 * over `maxFrameBytes` throws `WatchEventTooLarge` before its bytes are
 * read; a stream that ends inside a frame throws `InvalidResponse`
 * (retryable: the watcher reopens the watch).
 *
 * @example
 * ```ts
 * for await (const frame of lengthFrames(response.body, { what: "watch Pod" })) handle(frame);
 * ```
 */
export async function* lengthFrames(stream: Readable | AsyncIterable<Uint8Array>, options: LengthFramesOptions = {}): AsyncGenerator<Uint8Array> {
  const max = options.maxFrameBytes ?? DEFAULT_MAX_LINE_BYTES;
  const what = options.what ?? "the watch stream";
  // Bytes received but not yet yielded: pieces, their total length.
  let pieces: Uint8Array[] = [];
  let pending = 0;
  // Length of the frame being received, or -1 while its header is incomplete.
  let need = -1;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    if (chunk.length === 0) continue;
    pieces.push(chunk);
    pending += chunk.length;
    for (;;) {
      if (need < 0) {
        if (pending < 4) break;
        const head = take(4);
        need = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
        if (need > max) throw tooLarge(what, max, need);
      }
      if (pending < need) break;
      const frame = take(need);
      need = -1;
      yield frame;
    }
  }
  if (need >= 0 || pending > 0) {
    throw new OperantError("InvalidResponse", `${what}: the stream ended inside a frame (${need >= 0 ? `${pending} of ${need} bytes` : `${pending} bytes of a 4-byte length`}); the watch is reopened from the last resourceVersion.`, {
      retryable: true,
    });
  }

  /** Removes and returns the first `n` bytes of the pending pieces (a view when they lie in one piece). */
  function take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = pieces[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) pieces.shift();
      else pieces[0] = first.subarray(n);
      pending -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const p = pieces[0]!;
      const k = Math.min(p.length, n - filled);
      out.set(p.subarray(0, k), filled);
      filled += k;
      if (k === p.length) pieces.shift();
      else pieces[0] = p.subarray(k);
    }
    pending -= n;
    if (pieces.length === 0) pieces = [];
    return out;
  }
}

function tooLarge(what: string, max: number, length: number): OperantError {
  return new OperantError(
    "WatchEventTooLarge",
    `${what} carried an event of ${length} bytes, over the limit of ${max} bytes; the stream was closed rather than hold it. ` +
      `Find the oversized object (list the kind and compare sizes) and shrink it, or raise the limit (the client's maxWatchEventBytes option) if objects this large are expected.`,
  );
}
