import { describe, expect, it } from 'vitest';
import { ERRNO, errnoFor } from '../../runtime/host/abi.js';
import type { DatabaseHandle } from '../../runtime/host/index.js';
import { Identity, WasmbaseError } from '../../runtime/protocol/index.js';
import { MAX_ROW_BYTES } from '../../runtime/store/index.js';
import { testEngine } from '../helpers/engine.js';
import { schemaJson, T } from '../helpers/schemas.js';
import { wat } from './wat-module.js';

const owner = Identity.random();

/** Reducer id → length of the row it inserts (at address 64; memory is zero there). */
const REDUCERS = [
  { name: 'insert_too_large', rowLen: MAX_ROW_BYTES + 1 },
  // A string row needs a 4-byte length prefix: 3 bytes are truncated BSATN.
  { name: 'insert_malformed', rowLen: 3 },
  // Four zero bytes: the empty string, a valid row (the control case).
  { name: 'insert_valid', rowLen: 4 },
];

const rowLenCase = (id: number, len: number) =>
  `(if (i32.eq (local.get $id) (i32.const ${id})) (then (return (i32.const ${len}))))`;

const PAGES = Math.ceil((64 + MAX_ROW_BYTES + 1) / 65536) + 1;

/**
 * Every reducer calls table_insert_row once and fails with the errno it got as its message, in
 * two decimal digits, so the test sees exactly what the host returned to the module.
 */
const MODULE = wat(
  `(module
    (import "wasmbase_v1" "memory" (memory ${PAGES}))
    (import "wasmbase_v1" "table_insert_row" (func $insert (param i32 i32 i32) (result i32)))
    (import "wasmbase_v1" "reducer_set_error" (func $set_error (param i32 i32) (result i32)))
    (func $row_len (param $id i32) (result i32)
      ${REDUCERS.map((r, id) => rowLenCase(id, r.rowLen)).join('\n      ')}
      (unreachable))
    (func (export "__call_reducer__")
      (param $id i32) (param i64 i64 i64 i64 i64 i64 i64) (param i32) (result i32)
      (local $rc i32)
      (local.set $rc (call $insert (i32.const 0) (i32.const 64) (call $row_len (local.get $id))))
      (i32.store8 (i32.const 0) (i32.add (i32.const 48) (i32.div_u (local.get $rc) (i32.const 10))))
      (i32.store8 (i32.const 1) (i32.add (i32.const 48) (i32.rem_u (local.get $rc) (i32.const 10))))
      (drop (call $set_error (i32.const 0) (i32.const 2)))
      (i32.const 1))
    (func (export "__describe_module__")))`,
  schemaJson(
    [{ name: 'note', columns: [{ name: 'text', type: T.string }] }],
    REDUCERS.map(r => ({ name: r.name })),
  ),
);

const { engine } = await testEngine();

async function errnoOf(db: DatabaseHandle, reducer: string): Promise<number> {
  const outcome = await db.call({
    reducer,
    args: new Uint8Array(0),
    sender: owner,
    connectionId: undefined,
  });
  if (outcome.status === 'committed') throw new Error(`${reducer} committed`);
  expect(outcome.error.code).toBe('REDUCER_FAILED');
  const digits = /(\d\d)$/.exec(outcome.error.message);
  if (digits === null) throw new Error(`no errno in "${outcome.error.message}"`);
  return Number(digits[1]);
}

describe('errnos of store errors seen by a module', () => {
  it('gives ROW_TOO_LARGE for a too-large row and BSATN_DECODE_ERROR for bad bytes', async () => {
    await engine.publish({
      moduleBytes: MODULE,
      owner,
      nameOrIdentity: 'errnos',
      clear: false,
    });
    const db = engine.resolve('errnos')!;
    expect(await errnoOf(db, 'insert_valid')).toBe(ERRNO.OK);
    expect(await errnoOf(db, 'insert_too_large')).toBe(ERRNO.ROW_TOO_LARGE);
    expect(await errnoOf(db, 'insert_malformed')).toBe(ERRNO.BSATN_DECODE_ERROR);
  });
});

describe('errnoFor', () => {
  it('maps the errno the store names in details, not words in the message', () => {
    const tooLarge = new WasmbaseError('ROW_INVALID', 'row of t is 2000000 bytes', {
      errno: 'ROW_TOO_LARGE',
    });
    expect(errnoFor(tooLarge)).toBe(ERRNO.ROW_TOO_LARGE);
    const wordsOnly = new WasmbaseError('ROW_INVALID', 'string is 9 bytes; the limit is 4');
    expect(errnoFor(wordsOnly)).toBe(ERRNO.BSATN_DECODE_ERROR);
    expect(errnoFor(new WasmbaseError('PROTOCOL_DECODE', 'truncated'))).toBe(
      ERRNO.BSATN_DECODE_ERROR,
    );
  });

  it('ignores a details.errno that is not an ABI errno name and maps by code instead', () => {
    for (const errno of ['toString', 'constructor', 'row_too_large', 32])
      expect(errnoFor(new WasmbaseError('UNIQUE_VIOLATION', 'dup', { errno }))).toBe(
        ERRNO.UNIQUE_ALREADY_EXISTS,
      );
  });

  it('maps each store error code to its errno', () => {
    const cases = [
      ['UNIQUE_VIOLATION', ERRNO.UNIQUE_ALREADY_EXISTS],
      ['ROW_NOT_FOUND', ERRNO.NO_SUCH_ROW],
      ['KEY_TOO_LARGE', ERRNO.KEY_TOO_LARGE],
      ['SEQUENCE_OVERFLOW', ERRNO.AUTO_INC_OVERFLOW],
      ['LIMIT_EXCEEDED', ERRNO.LIMIT_EXCEEDED],
      ['STORAGE_FAILURE', ERRNO.HOST_CALL_FAILURE],
    ] as const;
    for (const [code, errno] of cases)
      expect(errnoFor(new WasmbaseError(code, 'x')), code).toBe(errno);
  });
});
