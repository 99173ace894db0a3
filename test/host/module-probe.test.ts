import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { schemaJson, T } from '../helpers/schemas.js';
import { client, testServer } from '../helpers/server.js';
import { wat } from './wat-module.js';

const EXPORTS = `
  (func (export "__call_reducer__") (param i32 i64 i64 i64 i64 i64 i64 i64 i32) (result i32) i32.const 0)
  (func (export "__describe_module__"))`;
const MEMORY = `(import "wasmbase_v1" "memory" (memory $m 1))`;
const LOG = `(import "wasmbase_v1" "log_write" (func $log (param i32 i32 i32) (result i32)))`;
const SCHEMA = schemaJson([{ name: 'person', columns: [{ name: 'name', type: T.string }] }]);

const server = await testServer({ reducerTimeoutMs: 200 });
const http = client(server);
const owner = await http.newIdentity();

function publish(name: string, body: Uint8Array) {
  return http.json('POST', `/v1/database/${name}`, { token: owner.token, body });
}

interface ErrorBody {
  error: { code: string; message: string; details: { problems: string[] } };
}

describe('instantiating a module once at publish', () => {
  it('refuses a module whose start function traps with 400 and the reason', async () => {
    const bytes = wat(`(module ${MEMORY} (func $s unreachable) (start $s) ${EXPORTS})`, SCHEMA);
    const res = await publish('start-traps', bytes);
    expect(res.status).toBe(400);
    const { error } = res.body as ErrorBody;
    expect(error.code).toBe('MODULE_INVALID');
    expect(error.details.problems).toEqual(['the module cannot start: unreachable']);
    expect(error.message).toBe('module rejected: the module cannot start: unreachable');
    expect((await http.json('GET', '/v1/database/start-traps')).status).toBe(404);
  });

  it('reports the panic message of a start function that panics', async () => {
    const bytes = wat(
      `(module ${LOG} ${MEMORY} (data (i32.const 64) "boom at start")
        (func $s (drop (call $log (i32.const 101) (i32.const 64) (i32.const 13))) unreachable)
        (start $s) ${EXPORTS})`,
      SCHEMA,
    );
    const res = await publish('start-panics', bytes);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.details.problems).toEqual([
      'the module cannot start: it panicked: boom at start',
    ]);
  });

  it('stops a start function that loops, refuses the module, and keeps serving', async () => {
    const bytes = wat(`(module ${MEMORY} (func $s (loop $l br $l)) (start $s) ${EXPORTS})`, SCHEMA);
    const res = await publish('start-loops', bytes);
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.details.problems).toEqual([
      'the module cannot start: its start function ran longer than 200 ms (--reducer-timeout-ms)',
    ]);
    expect((await http.request('GET', '/v1/ping')).status).toBe(200);
    const good = await publish('after-the-loop', moduleBytes('quickstart'));
    expect(good.status).toBe(200);
  });

  it('publishes a module whose start function runs and returns (and logs outside a call)', async () => {
    const bytes = wat(
      `(module ${LOG} ${MEMORY} (global $g (mut i32) (i32.const 0))
        (func $s (drop (call $log (i32.const 2) (i32.const 0) (i32.const 0))) (global.set $g (i32.const 1)))
        (start $s) ${EXPORTS})`,
      SCHEMA,
    );
    const res = await publish('start-returns', bytes);
    expect(res.status).toBe(200);
  });

  it('refuses a huge declared table at publish with 400 naming the limit and the flag', async () => {
    const bytes = wat(`(module ${MEMORY} (table 10000000 10000000 funcref) ${EXPORTS})`, SCHEMA);
    const res = await publish('huge-table', bytes);
    expect(res.status).toBe(400);
    const { error } = res.body as ErrorBody;
    expect(error.code).toBe('MODULE_INVALID');
    expect(error.message).toContain(
      'table 0 declares 10000000 initial elements; the limit is 100000 (--module-max-table-elements)',
    );
  });
});
