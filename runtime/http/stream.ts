/**
 * @module
 * Chunked streaming responses over uWS (used by `logs?follow=true`). A stream ends exactly once,
 * whichever comes first: the handler ends it, the client goes away, the server closes, or the
 * client reads so slowly that more than `MAX_STREAM_BACKLOG_BYTES` pile up unsent.
 */
import type { StreamControl, StreamReply } from './request.js';
import type { HttpResponse } from './uws.js';

/** Unsent bytes tolerated on one stream before it is ended (a client that stopped reading). */
export const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;

/** An open stream as the server tracks it. */
export interface OpenStream extends StreamControl {
  /** The client went away: run the cleanup without touching `res`. */
  aborted(): void;
}

/**
 * Writes the stream's status, headers and first chunk, and returns its control. `onEnded` runs
 * once when the stream ends for any reason.
 */
export function openStream(
  res: HttpResponse,
  reply: StreamReply,
  headers: Readonly<Record<string, string>>,
  onEnded: () => void,
): OpenStream {
  let open = true;
  /** Bytes written since the socket last reported it was writable again, while congested. */
  let backlog = 0;
  let congested = false;
  const cleanups: (() => void)[] = [];
  const finish = (): void => {
    if (!open) return;
    open = false;
    for (const fn of cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // Cleanup must not stop the other cleanups.
      }
    }
    onEnded();
  };
  const write = (chunk: string): void => {
    if (!open) return;
    let ok = true;
    res.cork(() => {
      ok = res.write(chunk);
    });
    if (!ok || congested) {
      congested = true;
      backlog += Buffer.byteLength(chunk);
      if (backlog > MAX_STREAM_BACKLOG_BYTES) control.end();
    }
  };
  const control: OpenStream = {
    write,
    end() {
      if (!open) return;
      finish();
      res.cork(() => res.end());
    },
    onClose(fn) {
      if (open) cleanups.push(fn);
      else fn();
    },
    aborted: finish,
  };
  res.onWritable(() => {
    congested = false;
    backlog = 0;
    return true;
  });
  res.cork(() => {
    res.writeStatus('200 OK');
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    for (const [k, v] of Object.entries(reply.headers)) res.writeHeader(k, v);
    res.write(reply.first);
  });
  return control;
}
