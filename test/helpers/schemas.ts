/** Schemas built in tests from compact column lists, through the real schema resolver. */
import {
  moduleDefFromJson,
  resolveModuleSchema,
  type ModuleSchema,
} from '../../runtime/protocol/index.js';

export interface ColumnSpec {
  readonly name: string;
  readonly type: unknown;
  readonly pk?: boolean;
  readonly unique?: boolean;
  readonly index?: boolean;
  readonly autoInc?: boolean;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  readonly public?: boolean;
  /** Extra multi-column btree indexes, by column names. */
  readonly multiIndexes?: readonly (readonly string[])[];
}

const some = (v: unknown) => ({ some: v });
const none = { none: [] };

/** RawModuleDefV9 JSON in the shape the SDK transform emits. */
export function schemaJson(
  tables: readonly TableSpec[],
  reducers: readonly { name: string; params?: readonly ColumnSpec[]; lifecycle?: string }[] = [],
): unknown {
  return {
    typespace: {
      types: tables.map(t => ({
        Product: { elements: t.columns.map(c => ({ name: some(c.name), algebraic_type: c.type })) },
      })),
    },
    tables: tables.map((t, i) => {
      const cols = t.columns.map((c, j) => ({ ...c, j }));
      const indexed = cols.filter(c => c.pk || c.unique || c.index);
      return {
        name: t.name,
        product_type_ref: i,
        primary_key: cols.filter(c => c.pk).map(c => c.j),
        indexes: [
          ...indexed.map(c => ({
            name: some(`${t.name}_${c.name}_idx_btree`),
            accessor_name: some(c.name),
            algorithm: { BTree: { columns: [c.j] } },
          })),
          ...(t.multiIndexes ?? []).map(names => ({
            name: some(`${t.name}_${names.join('_')}_idx_btree`),
            accessor_name: none,
            algorithm: { BTree: { columns: names.map(n => cols.find(c => c.name === n)!.j) } },
          })),
        ],
        constraints: cols
          .filter(c => c.pk || c.unique)
          .map(c => ({
            name: some(`${t.name}_${c.name}_key`),
            data: { Unique: { columns: [c.j] } },
          })),
        sequences: cols
          .filter(c => c.autoInc)
          .map(c => ({
            name: some(`${t.name}_${c.name}_seq`),
            column: c.j,
            start: none,
            min_value: none,
            max_value: none,
            increment: 1,
          })),
        schedule: none,
        table_type: { User: [] },
        table_access: t.public === false ? { Private: [] } : { Public: [] },
      };
    }),
    reducers: reducers.map(r => ({
      name: r.name,
      params: {
        elements: (r.params ?? []).map(p => ({ name: some(p.name), algebraic_type: p.type })),
      },
      lifecycle: r.lifecycle === undefined ? none : some({ [r.lifecycle]: [] }),
    })),
    types: [],
    misc_exports: [],
    row_level_security: [],
  };
}

export function buildSchema(
  tables: readonly TableSpec[],
  reducers: Parameters<typeof schemaJson>[1] = [],
): ModuleSchema {
  return resolveModuleSchema(moduleDefFromJson(schemaJson(tables, reducers)));
}

export const T = {
  u32: { U32: [] },
  u64: { U64: [] },
  i64: { I64: [] },
  i32: { I32: [] },
  u8: { U8: [] },
  bool: { Bool: [] },
  f64: { F64: [] },
  string: { String: [] },
  bytes: { Array: { U8: [] } },
  identity: {
    Product: { elements: [{ name: some('__identity__'), algebraic_type: { U256: [] } }] },
  },
  option: (t: unknown) => ({
    Sum: {
      variants: [
        { name: some('some'), algebraic_type: t },
        { name: some('none'), algebraic_type: { Product: { elements: [] } } },
      ],
    },
  }),
} as const;
