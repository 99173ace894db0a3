import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatType,
  moduleDefFromJson,
  moduleDefToJson,
  reducerArgsFromJson,
  resolveModuleSchema,
  valueFromJson,
  valueToJson,
  type AlgebraicType,
} from '../../runtime/protocol/index.js';

/** The `/schema?version=9` example of the seed document, verbatim. */
function seedExample(): unknown {
  const text = readFileSync(
    new URL('../../../shared/seeds/spacetimedb-http-database-api.md', import.meta.url),
    'utf8',
  );
  const start = text.indexOf('{\n "typespace"');
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  throw new Error('seed example not found');
}

describe('module schema JSON', () => {
  it('parses the seed example and writes it back identically', () => {
    const json = seedExample();
    const def = moduleDefFromJson(json);
    expect(def.tables.map(t => t.name)).toEqual(['person']);
    expect(def.reducers.map(r => [r.name, r.lifecycle])).toEqual([
      ['add', undefined],
      ['identity_connected', 'OnConnect'],
      ['identity_disconnected', 'OnDisconnect'],
      ['init', 'Init'],
      ['say_hello', undefined],
    ]);
    expect(moduleDefToJson(def)).toEqual(json);
    const schema = resolveModuleSchema(def);
    expect(schema.tableByName('person')!.isPublic).toBe(false);
    expect(schema.reducerByName('add')!.params.elements[0]!.name).toBe('name');
  });

  it('lists every structural problem with its path', () => {
    expect(() =>
      moduleDefFromJson({ typespace: {}, tables: [{ name: 3 }], reducers: 'x' }),
    ).toThrow(
      new RegExp(
        String.raw`typespace: expected \{"types": \[\.\.\.\]\}; ` +
          String.raw`tables\[0\]\.indexes: expected an array; .*reducers: expected an array`,
      ),
    );
  });

  it.each<[string, { pk?: number; name?: string }, string]>([
    [
      'a missing primary key column',
      { pk: 5 },
      'tables[0] "t".primary_key: column 5 does not exist (the table has 1 columns)',
    ],
    [
      'an invalid table name',
      { name: 'bad name' },
      'tables[0] "bad name".name: "bad name" is not a valid identifier',
    ],
  ])('rejects %s', (_what, change, problem) => {
    const json = {
      typespace: {
        types: [{ Product: { elements: [{ name: { some: 'id' }, algebraic_type: { U32: [] } }] } }],
      },
      tables: [
        {
          name: change.name ?? 't',
          product_type_ref: 0,
          primary_key: change.pk === undefined ? [] : [change.pk],
          indexes: [],
          constraints: [],
          sequences: [],
          schedule: { none: [] },
          table_type: { User: [] },
          table_access: { Public: [] },
        },
      ],
      reducers: [],
      types: [],
      misc_exports: [],
      row_level_security: [],
    };
    expect(() => resolveModuleSchema(moduleDefFromJson(json))).toThrow(
      expect.objectContaining({
        details: { problems: expect.arrayContaining([expect.stringContaining(problem)]) },
      }),
    );
  });
});

describe('SATS-JSON values', () => {
  const identity: AlgebraicType = {
    tag: 'Product',
    elements: [{ name: '__identity__', type: { tag: 'U256' } }],
  };
  const option: AlgebraicType = {
    tag: 'Sum',
    variants: [
      { name: 'some', type: { tag: 'String' } },
      { name: 'none', type: { tag: 'Product', elements: [] } },
    ],
  };

  it('reads identities, options, bytes and big integers in every accepted form', () => {
    const hex = 'c200' + 'ab'.repeat(30);
    expect(valueFromJson(identity, hex)).toEqual([BigInt('0x' + hex)]);
    expect(valueFromJson(identity, '0x' + hex)).toEqual([BigInt('0x' + hex)]);
    expect(valueFromJson(identity, { __identity__: '0x' + hex })).toEqual([BigInt('0x' + hex)]);
    expect(valueFromJson(option, null)).toEqual({ tag: 1, value: [] });
    expect(valueFromJson(option, 'x')).toEqual({ tag: 0, value: 'x' });
    expect(valueFromJson(option, { some: 'x' })).toEqual({ tag: 0, value: 'x' });
    expect(valueFromJson({ tag: 'Array', elem: { tag: 'U8' } }, '0x00ff')).toEqual(
      Uint8Array.of(0, 255),
    );
    expect(valueFromJson({ tag: 'U64' }, '18446744073709551615')).toBe(18446744073709551615n);
    expect(() => valueFromJson({ tag: 'U64' }, 2 ** 60)).toThrow(/expected u64/);
  });

  it('writes values in one fixed form', () => {
    expect(valueToJson(identity, [15n])).toBe('0x' + '0'.repeat(63) + 'f');
    expect(valueToJson(option, { tag: 1, value: [] })).toBeNull();
    expect(valueToJson({ tag: 'U64' }, 2n ** 63n)).toBe('9223372036854775808');
    expect(valueToJson({ tag: 'I64' }, -5n)).toBe(-5);
    expect(formatType(option)).toBe('Option<string>');
  });

  it('checks reducer arity and names the signature', () => {
    const params = { elements: [{ name: 'name', type: { tag: 'String' } as AlgebraicType }] };
    expect(() => reducerArgsFromJson('add', params, [])).toThrow(
      'reducer add(name: string) takes 1 argument, got 0',
    );
    expect(Buffer.from(reducerArgsFromJson('add', params, ['a'])).toString('hex')).toBe(
      '0100000061',
    );
  });
});
