import { describe, expect, it } from 'vitest';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { validateModule } from '../../runtime/host/index.js';
import { moduleBytes } from '../helpers/modules.js';
import { schemaJson, T } from '../helpers/schemas.js';
import { wat } from './wat-module.js';

const MAX = 16 * 1024 * 1024;

const GOOD_EXPORTS = `
  (func (export "__call_reducer__") (param i32 i64 i64 i64 i64 i64 i64 i64 i32) (result i32) i32.const 0)
  (func (export "__describe_module__"))`;
const MEMORY = `(import "wasmbase_v1" "memory" (memory 1))`;
const SCHEMA = schemaJson([{ name: 'person', columns: [{ name: 'name', type: T.string }] }]);

function problems(bytes: Uint8Array): string[] {
  try {
    validateModule(bytes, MAX);
  } catch (err) {
    expect(err).toBeInstanceOf(WasmbaseError);
    const e = err as WasmbaseError;
    expect(e.code).toBe('MODULE_INVALID');
    return e.details?.['problems'] as string[];
  }
  throw new Error('the module was accepted');
}

describe('module validation', () => {
  it('accepts the example modules and reads their schema without running them', () => {
    for (const name of ['quickstart', 'bank', 'chat', 'fixtures/edge']) {
      const v = validateModule(moduleBytes(name), MAX);
      expect(v.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(v.schema.tables.length).toBeGreaterThan(0);
    }
  });

  it('accepts a minimal hand-written module', () => {
    expect(
      validateModule(wat(`(module ${MEMORY} ${GOOD_EXPORTS})`, SCHEMA), MAX).schema.tables[0]!.name,
    ).toBe('person');
  });

  it('rejects bytes that are not WebAssembly', () => {
    expect(problems(new TextEncoder().encode('hello world, not wasm'))).toEqual([
      'not a WebAssembly module: it must start with the bytes 00 61 73 6d ("\\0asm")',
    ]);
  });

  it('rejects a truncated module with the compiler message', () => {
    const good = wat(`(module ${MEMORY} ${GOOD_EXPORTS})`, SCHEMA);
    expect(problems(good.subarray(0, 40))[0]).toMatch(/^not a valid WebAssembly module: /);
  });

  it('rejects imports outside wasmbase_v1 and unknown or mistyped host functions, naming each', () => {
    const p = problems(
      wat(
        `(module ${MEMORY}
          (import "env" "abort" (func (param i32 i32 i32 i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
          (import "wasmbase_v1" "no_such_function" (func))
          (import "wasmbase_v1" "log_write" (func (param i32 i32) (result i32)))
          ${GOOD_EXPORTS})`,
        SCHEMA,
      ),
    );
    expect(p).toEqual([
      'import env.abort is not allowed: modules may import only from wasmbase_v1 (build with the wasmbase SDK: it maps abort and memory to wasmbase_v1)',
      'import wasi_snapshot_preview1.fd_write is not allowed: modules may import only from wasmbase_v1',
      'import wasmbase_v1.no_such_function is not part of the wasmbase_v1 ABI',
      'import wasmbase_v1.log_write has signature (i32, i32) -> i32; the ABI says (i32, i32, i32) -> i32',
    ]);
  });

  it('rejects a module with its own memory instead of an imported one', () => {
    expect(problems(wat(`(module (memory 1) ${GOOD_EXPORTS})`, SCHEMA))).toEqual([
      'the module must import its memory as wasmbase_v1.memory (asc --importMemory; the wasmbase SDK does this)',
      'the module defines its own memory; it must import it instead',
    ]);
  });

  it('rejects missing and mistyped exports', () => {
    expect(
      problems(
        wat(
          `(module ${MEMORY} (func (export "__call_reducer__") (param i32) (result i32) i32.const 0))`,
          SCHEMA,
        ),
      ),
    ).toEqual([
      'export __call_reducer__ has signature (i32) -> i32; the ABI says (i32, i64, i64, i64, i64, i64, i64, i64, i32) -> i32',
      'missing export __describe_module__() -> ()',
    ]);
  });

  it('rejects a module without a schema, or with a schema that is not JSON', () => {
    expect(problems(wat(`(module ${MEMORY} ${GOOD_EXPORTS})`))).toEqual([
      "missing custom section wasmbase_v1.schema (the module's schema)",
    ]);
    expect(problems(wat(`(module ${MEMORY} ${GOOD_EXPORTS})`, '{not json'))[0]).toMatch(
      /^schema: not valid JSON: /,
    );
  });

  it('reports every schema problem at once', () => {
    const bad = schemaJson([
      {
        name: 'person',
        columns: [
          { name: 'id', type: T.f64, autoInc: true },
          { name: 'id', type: T.string },
        ],
      },
      { name: 'person', columns: [{ name: '9lives', type: { Ref: 42 } }] },
    ]);
    const p = problems(wat(`(module ${MEMORY} ${GOOD_EXPORTS})`, bad));
    expect(p).toEqual([
      'schema: tables[0] "person".columns[1]: duplicate column name "id"',
      'schema: tables[0] "person".sequences[0]: auto-increment column "id" must be an integer up to 128 bits, found F64',
      'schema: tables[1]: duplicate table name "person"',
      'schema: tables[1] "person" row type: type reference 42 does not exist (typespace has 2 types)',
    ]);
  });

  it('rejects a module over the size limit before looking at it', () => {
    expect(() => validateModule(new Uint8Array(2048), 1024)).toThrow(
      /module is 2048 bytes; the limit is 1024 \(--max-module-bytes\)/,
    );
  });
});
