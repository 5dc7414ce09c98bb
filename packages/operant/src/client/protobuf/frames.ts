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
 * const options: LengthFramesOptions<Uint8Array> = { maxFrameBytes: 4 * 1024 * 1024, what: "watch Pod" };
 * ```
 */
export interface LengthFramesOptions<T> {
  /** Longest frame accepted (default 16 MiB, as for JSON lines). A longer one fails the stream with `WatchEventTooLarge`. */
  maxFrameBytes?: number;
  /** What the stream is, for messages. */
  what?: string;
  /**
   * What to yield for each frame (default: the frame). Decoding here rather
   * than in a generator reading this one saves a step per frame: each step of
   * an async generator costs promises and turns of the event loop.
   */
  decode?: (frame: Uint8Array) => T;
}

/**
 * Yields each frame of a length-delimited stream (or what `decode` makes of
 * it). A frame whose length is over `maxFrameBytes` throws
 * `WatchEventTooLarge` before its bytes are read; a stream that ends inside
 * a frame throws `InvalidResponse` (retryable: the watcher reopens the watch).
 * A frame is a view of the bytes received when it lies within one chunk.
 *
 * @example
 * ```ts
 * for await (const frame of lengthFrames(response.body, { what: "watch Pod" })) handle(frame);
 * ```
 */
export async function* lengthFrames<T = Uint8Array>(stream: Readable | AsyncIterable<Uint8Array>, options: LengthFramesOptions<T> = {}): AsyncGenerator<T> {
  const max = options.maxFrameBytes ?? DEFAULT_MAX_LINE_BYTES;
  const what = options.what ?? "the watch stream";
  const decode = options.decode;
  // Bytes received but not yet yielded: pieces (the first from offset `at`), their total length.
  let pieces: Uint8Array[] = [];
  let at = 0;
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
        need = (byte() * 0x1000000 + (byte() << 16) + (byte() << 8) + byte()) >>> 0;
        if (need > max) throw tooLarge(what, max, need);
      }
      if (pending < need) break;
      const frame = take(need);
      need = -1;
      yield decode === undefined ? (frame as T) : decode(frame);
    }
  }
  if (need >= 0 || pending > 0) {
    throw new OperantError("InvalidResponse", `${what}: the stream ended inside a frame (${need >= 0 ? `${pending} of ${need} bytes` : `${pending} bytes of a 4-byte length`}); the watch is reopened from the last resourceVersion.`, {
      retryable: true,
    });
  }

  /** Removes and returns the next pending byte. */
  function byte(): number {
    const first = pieces[0]!;
    const b = first[at++]!;
    pending--;
    if (at === first.length) {
      pieces.shift();
      at = 0;
    }
    return b;
  }

  /** Removes and returns the first `n` pending bytes (a view when they lie in one piece). */
  function take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const first = pieces[0]!;
    if (first.length - at >= n) {
      const out = first.subarray(at, at + n);
      at += n;
      if (at === first.length) {
        pieces.shift();
        at = 0;
      }
      pending -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const p = pieces[0]!;
      const k = Math.min(p.length - at, n - filled);
      out.set(p.subarray(at, at + k), filled);
      filled += k;
      at += k;
      if (at === p.length) {
        pieces.shift();
        at = 0;
      }
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
