/**
 * @module
 * Reads a request body with a size limit. uWS hands the body over in chunks whose memory is
 * only valid during the callback, so each chunk is copied; `onAborted` is registered by the
 * caller before this runs.
 */
import { WasmbaseError } from '../protocol/index.js';
import type { HttpResponse } from './uws.js';

export function readBody(
  res: HttpResponse,
  limit: number,
  limitFlag: string,
  declaredLength: number | undefined,
): Promise<Uint8Array> {
  if (declaredLength !== undefined && declaredLength > limit) {
    return Promise.reject(
      new WasmbaseError(
        'BODY_TOO_LARGE',
        `request body is ${declaredLength} bytes; the limit is ${limit} bytes (${limitFlag})`,
        { limit },
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    res.onData((chunk, isLast) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        reject(
          new WasmbaseError(
            'BODY_TOO_LARGE',
            `request body is larger than the limit of ${limit} bytes (${limitFlag})`,
            { limit },
          ),
        );
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) resolve(new Uint8Array(Buffer.concat(chunks, size)));
    });
  });
}
