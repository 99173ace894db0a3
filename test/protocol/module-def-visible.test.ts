import { describe, expect, it } from 'vitest';
import {
  visibleModuleDef,
  type AlgebraicType,
  type RawModuleDefV9,
  type RawTableDefV9,
} from '../../runtime/protocol/index.js';

const U32: AlgebraicType = { tag: 'U32' };
const product = (...types: AlgebraicType[]): AlgebraicType => ({
  tag: 'Product',
  elements: types.map((type, i) => ({ name: `f${i}`, type })),
});

function table(name: string, ref: number, access: 'Public' | 'Private'): RawTableDefV9 {
  return {
    name,
    productTypeRef: ref,
    primaryKey: [0],
    indexes: [],
    constraints: [],
    sequences: [],
    schedule: undefined,
    tableType: 'User',
    tableAccess: access,
  };
}

/** 0 secret row, 1 a type only the secret row uses, 2 a shared enum, 3 the public row. */
const def: RawModuleDefV9 = {
  typespace: [
    product(U32, { tag: 'Ref', ref: 1 }, { tag: 'Ref', ref: 2 }),
    product({ tag: 'String' }),
    { tag: 'Sum', variants: [{ name: 'a', type: product() }] },
    product(U32, { tag: 'Array', elem: { tag: 'Ref', ref: 2 } }),
  ],
  tables: [table('secret', 0, 'Private'), table('open', 3, 'Public')],
  reducers: [
    {
      name: 'act',
      params: { elements: [{ name: 'kind', type: { tag: 'Ref', ref: 2 } }] },
      lifecycle: undefined,
    },
  ],
  types: [
    { scope: [], name: 'Secret', ty: 0, customOrdering: true },
    { scope: [], name: 'Hidden', ty: 1, customOrdering: true },
    { scope: [], name: 'Kind', ty: 2, customOrdering: true },
    { scope: [], name: 'Open', ty: 3, customOrdering: true },
  ],
  miscExports: [],
  rowLevelSecurity: [{ sql: 'SELECT * FROM secret WHERE id = 1' }],
};

describe('visibleModuleDef', () => {
  const shown = visibleModuleDef(def);

  it('drops private tables, their types and the row-level-security rules', () => {
    expect(shown.tables.map(t => t.name)).toEqual(['open']);
    expect(shown.types.map(t => t.name)).toEqual(['Kind', 'Open']);
    expect(shown.rowLevelSecurity).toEqual([]);
  });

  it('keeps the shared types, renumbered densely, with every reference rewritten', () => {
    expect(shown.typespace).toEqual([
      { tag: 'Sum', variants: [{ name: 'a', type: product() }] },
      product(U32, { tag: 'Array', elem: { tag: 'Ref', ref: 0 } }),
    ]);
    expect(shown.tables[0]!.productTypeRef).toBe(1);
    expect(shown.types.map(t => t.ty)).toEqual([0, 1]);
    expect(shown.reducers[0]!.params.elements[0]!.type).toEqual({ tag: 'Ref', ref: 0 });
  });

  it('changes nothing in a module without private tables but its rules', () => {
    const all = { ...def, tables: [table('a', 0, 'Public'), def.tables[1]!], rowLevelSecurity: [] };
    expect(visibleModuleDef(all)).toEqual(all);
  });
});
