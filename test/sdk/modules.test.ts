import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateModule } from '../../runtime/host/index.js';
import { moduleBytes, ROOT } from '../helpers/modules.js';

const EXPECTED: Record<string, { tables: string[]; reducers: string[] }> = {
  quickstart: { tables: ['person'], reducers: ['add', 'say_hello'] },
  bank: { tables: ['accounts'], reducers: ['seed', 'transfer'] },
  chat: {
    tables: ['user', 'message'],
    reducers: ['set_name', 'send_message', 'client_connected', 'client_disconnected'],
  },
};

describe('example modules built with the SDK', () => {
  it.each(Object.keys(EXPECTED))(
    '%s imports only wasmbase_v1 and exports only the ABI entry points',
    name => {
      const module = new WebAssembly.Module(moduleBytes(name));
      expect(new Set(WebAssembly.Module.imports(module).map(i => i.module))).toEqual(
        new Set(['wasmbase_v1']),
      );
      expect(WebAssembly.Module.imports(module).find(i => i.kind === 'memory')).toEqual({
        module: 'wasmbase_v1',
        name: 'memory',
        kind: 'memory',
      });
      expect(
        WebAssembly.Module.exports(module)
          .map(e => e.name)
          .sort(),
      ).toEqual(['__call_reducer__', '__describe_module__']);
      const { schema } = validateModule(moduleBytes(name), 1 << 24);
      expect(schema.tables.map(t => t.name)).toEqual(EXPECTED[name]!.tables);
      expect(schema.reducers.map(r => r.name)).toEqual(EXPECTED[name]!.reducers);
    },
  );

  it('declares keys, uniqueness, indexes, sequences and lifecycles in the schema', () => {
    const chat = validateModule(moduleBytes('chat'), 1 << 24).schema;
    expect(chat.tableByName('user')!.primaryIndex!.name).toBe('user_identity_idx_btree');
    expect(chat.tableByName('message')!.indexes.map(i => [i.name, i.unique])).toEqual([
      ['message_sender_idx_btree', false],
    ]);
    expect(chat.reducers.map(r => r.lifecycle)).toEqual([
      undefined,
      undefined,
      'OnConnect',
      'OnDisconnect',
    ]);
    const edge = validateModule(moduleBytes('fixtures/edge'), 1 << 24).schema;
    expect(edge.tableByName('item')!.sequences.map(s => s.name)).toEqual(['item_id_seq']);
    expect(edge.tableByName('item')!.indexes.map(i => [i.name, i.unique])).toEqual([
      ['item_id_idx_btree', true],
      ['item_code_idx_btree', true],
      ['item_group_idx_btree', false],
    ]);
    expect(edge.tableByName('item')!.isPublic).toBe(false);
  });

  it('pins index ids: numbered across tables in declaration order, as the transform does', () => {
    // The SDK's generated __indexId must agree with the host; the edge fixture's reducers use
    // items.find("code") and filter("group"), so a drift would also fail its execution tests.
    const edge = validateModule(moduleBytes('fixtures/edge'), 1 << 24).schema;
    const ids = edge.tables.flatMap(t => t.indexes.map(i => [i.name, i.id]));
    expect(ids).toEqual([
      ['everything_id_idx_btree', 0],
      ['item_id_idx_btree', 1],
      ['item_code_idx_btree', 2],
      ['item_group_idx_btree', 3],
    ]);
  });
});

describe('transform diagnostics', () => {
  function compile(source: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasmbase-sdk-'));
    try {
      const file = path.join(dir, 'index.ts');
      writeFileSync(
        file,
        source.replaceAll(
          'SDK',
          path.relative(dir, path.join(ROOT, 'sdk/assembly/index')).replaceAll('\\', '/'),
        ),
      );
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'node_modules/assemblyscript/bin/asc.js'),
          file,
          '-o',
          path.join(dir, 'out.wasm'),
          '--config',
          path.join(ROOT, 'asconfig.json'),
          '--transform',
          path.join(ROOT, 'sdk/assembly/transform/index.mjs'),
        ],
        { cwd: ROOT, stdio: 'pipe' },
      );
      return 'compiled';
    } catch (err) {
      const e = err as { stderr?: Buffer; stdout?: Buffer };
      return `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('names unsupported column types, bad auto-increment columns and double primary keys', () => {
    const out = compile(`import { ReducerContext } from "SDK";
@table("t") class T { @primaryKey @autoInc name: string = ""; @primaryKey other: u32 = 0; weird: Map<string, u32> = new Map(); }
@reducer export function r(ctx: ReducerContext): void {}`);
    expect(out).toContain('@autoInc needs an integer column, name is string');
    expect(out).toContain('table t has more than one @primaryKey');
    expect(out).toContain('unsupported type "Map<string, u32>"');
  }, 60_000);

  it('checks new Table<Row>("name") against the @table name of Row', () => {
    const out = compile(`import { ReducerContext, Table } from "SDK";
@table("account") class Account { @primaryKey id: u32 = 0; }
class Plain { x: u32 = 0; }
const accounts = new Table<Account>("accounts");
const plain = new Table<Plain>("plain");
@reducer export function r(ctx: ReducerContext): void {}`);
    expect(out).toMatch(
      /index\.ts:4:\d+: new Table<Account>\("accounts"\): Account is @table\("account"\)/,
    );
    expect(out).toMatch(/index\.ts:5:\d+: Plain is not a @table class/);
  }, 60_000);

  it('gives each indexed column a typed accessor; a wrong column or key type fails the build', () => {
    const out = compile(`import { ReducerContext, Table } from "SDK";
@table("account") class Account { @primaryKey id: u32 = 0; @index team: u32 = 0; }
const accounts = new Table<Account>("account");
@reducer export function r(ctx: ReducerContext): void { accounts.id.find("seven"); }
@reducer export function s(ctx: ReducerContext): void { accounts.owner.find(1); }
@reducer export function t(ctx: ReducerContext): void { accounts.team.filter(3); }`);
    expect(out).toMatch(/not assignable to type 'u32'[\s\S]{0,300}?index\.ts\(4,/);
    expect(out).toMatch(/Property 'owner' does not exist[\s\S]{0,300}?index\.ts\(5,/);
    expect(out).not.toMatch(/index\.ts\(6,/);
  }, 60_000);

  it('requires ctx first, supported parameter types, and void or string | null results', () => {
    const out = compile(`import { ReducerContext } from "SDK";
@reducer export function a(x: u32): void {}
@reducer export function b(ctx: ReducerContext, m: Map<u32, u32>): void {}
@reducer export function c(ctx: ReducerContext): i32 { return 1; }
@reducer function d(ctx: ReducerContext): void {}`);
    expect(out).toContain('the first parameter of a must be ctx: ReducerContext');
    expect(out).toContain('parameter m of b: unsupported type');
    expect(out).toContain('reducer c must return void or string | null');
    expect(out).toContain('@reducer function d must be exported');
  }, 60_000);
});
