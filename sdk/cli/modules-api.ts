/**
 * @module
 * The module builder (`sdk/assembly/build.mjs`, plain JavaScript next to the AssemblyScript SDK)
 * as the CLI sees it, loaded from the package root at run time.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package root (this file runs from dist/sdk/cli/). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type CompileResult = { readonly ok: true } | { readonly ok: false; readonly errors: string };

export interface ModulesApi {
  buildModules(options: {
    only?: string[];
    force?: boolean;
    throwOnFailure?: boolean;
    onProgress?: (line: string) => void;
  }): Promise<{
    built: string[];
    skipped: string[];
    failed: { module: string; errors: string }[];
  }>;
  moduleWasmPath(rel: string): string;
  compileModule(options: {
    baseDir: string;
    entry: string;
    out: string;
    sdkDir?: string;
    debug?: boolean;
  }): Promise<CompileResult>;
  formatDiagnostics(text: string, baseDir?: string): string;
}

export async function modulesApi(): Promise<ModulesApi> {
  return (await import(
    pathToFileURL(path.join(PACKAGE_ROOT, 'sdk/assembly/build.mjs')).href
  )) as ModulesApi;
}
