/**
 * @module
 * Paths of the harness's compiled entry points (child servers, load-generator threads). They
 * always run as JavaScript from dist/: next to this file when it runs from dist/, else under
 * dist/bench/keynote (tests import the TypeScript sources; `npm run build` compiles dist/).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/** The repository root. */
export const ROOT = here.endsWith('.js')
  ? path.resolve(path.dirname(here), '../../..')
  : path.resolve(path.dirname(here), '../..');

export function compiledScript(name: string): string {
  const file = here.endsWith('.js')
    ? path.join(path.dirname(here), `${name}.js`)
    : path.join(ROOT, 'dist/bench/keynote', `${name}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first`);
  return file;
}
