/**
 * @module
 * Loads uWebSockets.js's native binary directly. The package silently falls back to a slow
 * JavaScript implementation when its binary does not match the platform or Node version; we
 * refuse to start instead, with a message saying what to do.
 */
import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';
import { WasmbaseError } from '../protocol/index.js';

export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';

let loaded: typeof Uws | undefined;

export function loadUws(): typeof Uws {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  const binary =
    `uWebSockets.js/binaries/uws_${process.platform}_${process.arch}_` +
    `${process.versions.modules}.node`;
  try {
    loaded = require(binary) as typeof Uws;
  } catch (err) {
    throw new WasmbaseError(
      'UNAVAILABLE',
      `uWebSockets.js has no native binary for ${process.platform}-${process.arch} ` +
        `on Node ${process.version} (ABI ${process.versions.modules}); ` +
        'wasmbase needs Node 20 (see "engines" in package.json). ' +
        'Refusing to start on the slow fallback. ' +
        `Cause: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return loaded;
}
