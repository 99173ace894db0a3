/**
 * @module
 * Web files served at `/` from `--web-dir` (the chat demo of `wasmbase start --example chat`, or
 * any bundled single-page client). Small and safe by construction: the directory is read ONCE
 * at start, and each file becomes a route with a fixed path (`/index.html`, `/main.js`, and `/`
 * for `index.html`). A request never names a file on disk, so there is nothing to traverse:
 * only plain files directly in the directory, with a simple name and a known extension, are
 * served (subdirectories, symbolic links and dotfiles are skipped), up to `MAX_FILES` files and
 * `MAX_TOTAL_BYTES` in all. A directory that is missing, has no `index.html` or breaks a limit
 * stops the server at start with `INVALID_ARGUMENT` naming `--web-dir`.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WasmbaseError } from '../protocol/index.js';
import type { BodyReply } from './request.js';
import type { Route } from './server.js';

export const STATIC_LIMITS = { MAX_FILES: 64, MAX_TOTAL_BYTES: 32 * 1024 * 1024 } as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

const SIMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export interface StaticFile {
  /** The URL path, e.g. `/main.js`. */
  readonly urlPath: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

function refuse(dir: string, why: string): never {
  throw new WasmbaseError('INVALID_ARGUMENT', `invalid --web-dir "${dir}": ${why}`, {
    option: 'web-dir',
  });
}

/** Reads the servable files of `dir`. */
export function loadStaticFiles(dir: string): StaticFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    refuse(dir, err instanceof Error ? err.message : String(err));
  }
  const files: StaticFile[] = [];
  let total = 0;
  for (const name of names) {
    const contentType = CONTENT_TYPES[path.extname(name).toLowerCase()];
    if (contentType === undefined || !SIMPLE_NAME.test(name)) continue;
    const full = path.join(dir, name);
    if (!lstatSync(full).isFile()) continue;
    if (files.length === STATIC_LIMITS.MAX_FILES)
      refuse(dir, `more than ${STATIC_LIMITS.MAX_FILES} files to serve`);
    const body = new Uint8Array(readFileSync(full));
    total += body.byteLength;
    if (total > STATIC_LIMITS.MAX_TOTAL_BYTES)
      refuse(dir, `its files hold more than ${STATIC_LIMITS.MAX_TOTAL_BYTES} bytes`);
    files.push({ urlPath: `/${name}`, contentType, body });
  }
  if (!files.some(f => f.urlPath === '/index.html')) refuse(dir, 'it has no index.html');
  return files;
}

/** One GET route per file, and `/` for `index.html`. */
export function staticRoutes(files: readonly StaticFile[]): Route[] {
  const routes: Route[] = [];
  for (const file of files) {
    const reply: BodyReply = {
      status: 200,
      headers: {
        'content-type': file.contentType,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      },
      body: file.body,
    };
    const handler = () => Promise.resolve(reply);
    routes.push({ method: 'get', pattern: file.urlPath, body: 'none', handler });
    if (file.urlPath === '/index.html')
      routes.push({ method: 'get', pattern: '/', body: 'none', handler });
  }
  return routes;
}
