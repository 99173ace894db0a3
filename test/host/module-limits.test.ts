import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../runtime/config.js';
import { declarationLimits, type DeclarationLimits } from '../../runtime/host/module-limits.js';
import { validateModule } from '../../runtime/host/index.js';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { moduleBytes, ROOT } from '../helpers/modules.js';
import { schemaJson, T } from '../helpers/schemas.js';
import { wat } from './wat-module.js';

const MAX = 16 * 1024 * 1024;
const EXPORTS = `
  (func (export "__call_reducer__") (param i32 i64 i64 i64 i64 i64 i64 i64 i32) (result i32) i32.const 0)
  (func (export "__describe_module__"))`;
const MEMORY = `(import "wasmbase_v1" "memory" (memory 1))`;
const SCHEMA = schemaJson([{ name: 'person', columns: [{ name: 'name', type: T.string }] }]);

/** Small limits, so that each case needs only a few declarations to exceed one. */
const SMALL: DeclarationLimits = {
  memoryMaxPages: 16,
  tableElements: 10,
  functions: 5,
  globals: 3,
  locals: 4,
  dataSegments: 2,
  dataBytes: 8,
  elementSegments: 2,
  elementEntries: 4,
};

function refusal(body: string, limits: DeclarationLimits = SMALL) {
  try {
    validateModule(wat(`(module ${body})`, SCHEMA), MAX, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(WasmbaseError);
    const e = err as WasmbaseError;
    expect(e.code).toBe('MODULE_INVALID');
    return {
      problems: e.details?.['problems'] as string[],
      limits: e.details?.['limits'] as { flag: string; declared: unknown; limit: number }[],
    };
  }
  throw new Error('the module was accepted');
}

const funcs = (n: number) => Array.from({ length: n }, (_, i) => `(func $f${i})`).join(' ');

describe('publish-time declaration limits', () => {
  it('accepts every module and fixture of modules/ under the default limits', () => {
    const names = ['quickstart', 'bank', 'chat'];
    for (const f of readdirSync(path.join(ROOT, 'modules/fixtures'))) names.push(`fixtures/${f}`);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(validateModule(moduleBytes(name), MAX).hash).toHaveLength(64);
    // The defaults are the ones of the option table.
    expect(declarationLimits(DEFAULT_CONFIG).tableElements).toBe(100_000);
  });

  it('refuses a few-hundred-byte module declaring a huge table, naming the limit and flag', () => {
    const bytes = wat(`(module ${MEMORY} (table 10000000 10000000 funcref) ${EXPORTS})`, SCHEMA);
    expect(bytes.length).toBeLessThan(1024);
    let error: WasmbaseError | undefined;
    try {
      validateModule(bytes, MAX);
    } catch (err) {
      error = err as WasmbaseError;
    }
    expect(error?.code).toBe('MODULE_INVALID');
    expect(error?.details?.['problems']).toEqual([
      'table 0 declares 10000000 initial elements; the limit is 100000 (--module-max-table-elements)',
      'table 0 declares a maximum of 10000000 elements; the limit is 100000 (--module-max-table-elements)',
    ]);
    expect(error?.details?.['limits']).toMatchObject([
      { flag: 'module-max-table-elements', declared: 10000000, limit: 100000 },
      { flag: 'module-max-table-elements', declared: 10000000, limit: 100000 },
    ]);
  });

  it('refuses a table without a maximum, and a growable one beyond the limit', () => {
    expect(refusal(`${MEMORY} (table 1 funcref) ${EXPORTS}`).problems).toEqual([
      'table 0 declares no maximum, so it could grow without bound; declare one of at most 10 elements (--module-max-table-elements)',
    ]);
    expect(refusal(`${MEMORY} (table 2 11 funcref) ${EXPORTS}`).problems).toEqual([
      'table 0 declares a maximum of 11 elements; the limit is 10 (--module-max-table-elements)',
    ]);
    // Imported tables are counted too (and refused as outside the ABI).
    const imported = refusal(
      `${MEMORY} (import "wasmbase_v1" "t" (table 20 20 funcref)) ${EXPORTS}`,
    );
    expect(imported.problems).toContain(
      'table 0 declares 20 initial elements; the limit is 10 (--module-max-table-elements)',
    );
    expect(
      validateModule(wat(`(module ${MEMORY} (table 10 10 funcref) ${EXPORTS})`, SCHEMA), MAX, SMALL)
        .tableElements,
    ).toBe(10);
  });

  it('refuses a memory import whose minimum or maximum is over the cap', () => {
    const over = refusal(`(import "wasmbase_v1" "memory" (memory 17 20)) ${EXPORTS}`);
    expect(over.problems).toEqual([
      'the imported memory declares a minimum of 17 pages (1088 KiB); the limit is 16 pages (1024 KiB) (--module-memory-bytes)',
      'the imported memory declares a maximum of 20 pages (1280 KiB); the limit is 16 pages (1024 KiB) (--module-memory-bytes)',
    ]);
    expect(over.limits[0]).toMatchObject({ flag: 'module-memory-bytes', declared: 17 * 65536 });
    const ok = validateModule(
      wat(`(module (import "wasmbase_v1" "memory" (memory 2 8)) ${EXPORTS})`, SCHEMA),
      MAX,
      SMALL,
    );
    expect([ok.memoryMinPages, ok.memoryMaxPages]).toEqual([2, 8]);
  });

  it('refuses too many functions, counting imported ones', () => {
    // Two exports plus four more: six functions against a limit of five.
    expect(refusal(`${MEMORY} ${EXPORTS} ${funcs(4)}`).problems).toEqual([
      'the module declares 6 functions; the limit is 5 (--module-max-functions)',
    ]);
    const imported = `(import "wasmbase_v1" "iter_close" (func (param i32) (result i32)))`;
    expect(refusal(`${imported} ${MEMORY} ${EXPORTS} ${funcs(3)}`).problems).toEqual([
      'the module declares 6 functions; the limit is 5 (--module-max-functions)',
    ]);
  });

  it('refuses too many globals and too many locals in one function', () => {
    const globals = Array.from({ length: 4 }, () => '(global i32 (i32.const 0))').join(' ');
    expect(refusal(`${MEMORY} ${globals} ${EXPORTS}`).problems).toEqual([
      'the module declares 4 globals; the limit is 3 (--module-max-globals)',
    ]);
    const locals = `(func (local i32 i32 i64) (local f64 f32))`;
    expect(refusal(`${MEMORY} ${EXPORTS} ${locals}`)).toMatchObject({
      problems: ['function 2 declares 5 locals; the limit is 4 (--module-max-locals)'],
      limits: [{ flag: 'module-max-locals', declared: 5, limit: 4 }],
    });
  });

  it('refuses too many data segments and too many data bytes', () => {
    const data = (n: number, text: string) =>
      Array.from({ length: n }, (_, i) => `(data (i32.const ${i * 16}) "${text}")`).join(' ');
    expect(refusal(`${MEMORY} ${EXPORTS} ${data(3, 'a')}`).problems).toEqual([
      'the module declares 3 data segments; the limit is 2 (--module-max-data-segments)',
    ]);
    expect(refusal(`${MEMORY} ${EXPORTS} ${data(2, 'hello')}`).problems).toEqual([
      'the data segments hold 10 bytes; the limit is 8 (--module-max-data-bytes)',
    ]);
    // Passive segments count the same.
    expect(refusal(`${MEMORY} ${EXPORTS} (data "123456789")`).problems).toEqual([
      'the data segments hold 9 bytes; the limit is 8 (--module-max-data-bytes)',
    ]);
  });

  it('refuses too many element segments and too many entries, in every encoding', () => {
    const table = '(table 10 10 funcref)';
    const three = '(elem (i32.const 0) $f0) (elem (i32.const 1) $f0) (elem (i32.const 2) $f0)';
    expect(refusal(`${MEMORY} ${table} ${EXPORTS} ${funcs(1)} ${three}`).problems).toEqual([
      'the module declares 3 element segments; the limit is 2 (--module-max-element-segments)',
    ]);
    const entries =
      '(elem (i32.const 0) $f0 $f0 $f0) (elem funcref (ref.func $f0) (ref.null func))';
    expect(refusal(`${MEMORY} ${table} ${EXPORTS} ${funcs(1)} ${entries}`).problems).toEqual([
      'the element segments hold 5 entries; the limit is 4 (--module-max-element-entries)',
    ]);
    const declared = '(elem declare func $f0)';
    expect(
      validateModule(
        wat(`(module ${MEMORY} ${EXPORTS} ${funcs(1)} ${declared})`, SCHEMA),
        MAX,
        SMALL,
      ).hash,
    ).toHaveLength(64);
  });

  it('reports every exceeded limit of one module at once', () => {
    const globals = Array.from({ length: 4 }, () => '(global i32 (i32.const 0))').join(' ');
    const found = refusal(`${MEMORY} (table 11 11 funcref) ${globals} ${EXPORTS} ${funcs(4)}`);
    expect(found.limits.map(l => l.flag)).toEqual([
      'module-max-table-elements',
      'module-max-table-elements',
      'module-max-functions',
      'module-max-globals',
    ]);
  });
});
