/** Built example and fixture modules (built by `npm run build:modules`, which `npm test` runs first). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The bytes of modules/<rel>/build/<name>.wasm. */
export function moduleBytes(rel: string): Uint8Array {
  const file = path.join(ROOT, 'modules', rel, 'build', `${path.basename(rel)}.wasm`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build:modules"`);
  return new Uint8Array(readFileSync(file));
}
