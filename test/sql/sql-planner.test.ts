/** Planner tests: the access path chosen for representative queries. */
import { describe, expect, it } from 'vitest';
import {
  compileSql,
  explainSql,
  type SelectPlan,
  type StatementPlan,
} from '../../runtime/sql/index.js';
import { schema } from './sql-fixtures.js';

const plan = (sql: string): SelectPlan =>
  compileSql(schema, sql, { isOwner: true })[0] as SelectPlan;
const anyPlan = (sql: string): StatementPlan => compileSql(schema, sql, { isOwner: true })[0]!;
const indexName = (p: SelectPlan): string | undefined =>
  p.root.kind === 'IndexScan' ? p.root.index.name : undefined;

describe('SQL planner', () => {
  it('answers primary-key equality with a unique point lookup and nothing left to filter', () => {
    const p = plan('SELECT * FROM person WHERE id = 3');
    expect(p.root).toMatchObject({
      kind: 'IndexScan',
      eq: [{ value: 3 }],
      lower: undefined,
      upper: undefined,
    });
    expect(indexName(p)).toBe('person_id_idx_btree');
    expect(p.rootFilter).toBeUndefined();
    expect(explainSql(schema, 'SELECT * FROM person WHERE id = 3')).toContain(
      'IndexPoint(unique) person AS person USING person_id_idx_btree(id) WHERE id = 3',
    );
  });

  it('answers a range on an indexed column with an index range scan', () => {
    const p = plan('SELECT * FROM person WHERE age > 30 AND age <= 40');
    expect(indexName(p)).toBe('person_age_idx_btree');
    expect(p.root).toMatchObject({
      eq: [],
      lower: { inclusive: false, value: { value: 30 } },
      upper: { inclusive: true, value: { value: 40 } },
    });
    expect(p.rootFilter).toBeUndefined();
  });

  it('uses an equality prefix of a multi-column index, then a range on the next column', () => {
    const p = plan("SELECT * FROM person WHERE city = 'paris' AND age > 30");
    expect(indexName(p)).toBe('person_city_age_idx_btree');
    expect(p.root).toMatchObject({ eq: [{ value: 'paris' }], lower: { value: { value: 30 } } });
    expect(p.rootFilter).toBeUndefined();
  });

  it('uses a multi-column index for an equality on its first column alone', () => {
    expect(indexName(plan("SELECT * FROM person WHERE city = 'paris'"))).toBe(
      'person_city_age_idx_btree',
    );
  });

  it('prefers a unique point lookup over a range, and keeps the rest as a filter', () => {
    const p = plan("SELECT * FROM person WHERE age > 3 AND name = 'bob'");
    expect(indexName(p)).toBe('person_name_idx_btree');
    expect(p.rootFilter).toMatchObject({ kind: 'Compare', op: '>' });
  });

  it('answers unique-index equality with a unique point lookup and nothing left to filter', () => {
    const p = plan("SELECT * FROM person WHERE name = 'bob'");
    expect(p.root).toMatchObject({
      kind: 'IndexScan',
      index: { name: 'person_name_idx_btree', unique: true },
      eq: [{ value: 'bob' }],
    });
    expect(p.rootFilter).toBeUndefined();
    expect(explainSql(schema, "SELECT * FROM person WHERE name = 'bob'")).toContain(
      'IndexPoint(unique) person AS person USING person_name_idx_btree(name)',
    );
  });

  it('scans the table only when no index answers the predicate', () => {
    expect(plan('SELECT * FROM person WHERE nick IS NULL').root.kind).toBe('TableScan');
    expect(plan("SELECT * FROM visit WHERE place = 'x'").root.kind).toBe('TableScan');
    // One disjunct no index answers: every row must be looked at anyway.
    expect(plan("SELECT * FROM person WHERE age = 3 OR nick = 'x'").root.kind).toBe('TableScan');
    expect(plan('SELECT * FROM person WHERE age = 3 OR true').root.kind).toBe('TableScan');
  });

  it('reads an OR of indexed equalities as a union of index lookups, each row once', () => {
    const p = plan("SELECT * FROM person WHERE age = 3 OR city = 'x'");
    expect(p.root.kind).toBe('IndexUnion');
    expect(p.rootFilter).toBeUndefined();
    const branches = p.root.kind === 'IndexUnion' ? p.root.branches : [];
    expect(
      branches.map(b => (b.access.kind === 'IndexScan' ? b.access.index.name : b.access.kind)),
    ).toEqual(['person_age_idx_btree', 'person_city_age_idx_btree']);
    expect(explainSql(schema, "SELECT * FROM person WHERE age = 3 OR city = 'x'")).toBe(
      [
        'Project person.id, person.name, person.age, person.city, person.nick',
        "  IndexUnion person AS person OF [IndexPoint person AS person USING person_age_idx_btree(age) WHERE age = 3] + [IndexRange person AS person USING person_city_age_idx_btree(city, age) WHERE city = 'x']",
      ].join('\n'),
    );
    // Nested ORs flatten; a disjunct may itself be an AND answered by one index, with a leftover filter.
    const q = plan(
      "SELECT * FROM person WHERE (id = 1 OR name = 'bob') OR (city = 'paris' AND age > 30 AND nick IS NULL)",
    );
    expect(
      q.root.kind === 'IndexUnion' &&
        q.root.branches.map(b => [
          b.access.kind === 'IndexScan' && b.access.index.name,
          b.filter?.kind,
        ]),
    ).toEqual([
      ['person_id_idx_btree', undefined],
      ['person_name_idx_btree', undefined],
      ['person_city_age_idx_btree', 'IsNull'],
    ]);
  });

  it('prefers an index answering an AND-ed conjunct over a union, and keeps the OR as a filter', () => {
    const p = plan("SELECT * FROM person WHERE id = 2 AND (age = 3 OR name = 'x')");
    expect(indexName(p)).toBe('person_id_idx_btree');
    expect(p.rootFilter).toMatchObject({ kind: 'Or' });
  });

  it('sorts the rows of a union for ORDER BY (a union has no order)', () => {
    const p = plan('SELECT * FROM person WHERE age = 3 OR id = 4 ORDER BY age LIMIT 2');
    expect(p.root.kind).toBe('IndexUnion');
    expect(p.sort).toHaveLength(1);
    expect(p.orderFromIndex).toBe(false);
  });

  it('never scans every row when an equality fixes all columns of any index (every index of every test table)', () => {
    const literal = (type: { tag: string }): string | undefined =>
      (
        ({
          U8: '1',
          U32: '1',
          I32: '1',
          I64: '1',
          U64: '1',
          String: "'x'",
          Bool: 'true',
        }) as Record<string, string>
      )[type.tag] ?? (type.tag === 'Array' ? '0x01' : type.tag === 'Product' ? '0x01' : undefined);
    let checked = 0;
    for (const table of schema.tables) {
      for (const index of table.indexes) {
        const conds = index.columns.map(c => {
          const lit = literal(table.columns[c]!.type as { tag: string });
          return lit === undefined ? undefined : `${table.columns[c]!.name} = ${lit}`;
        });
        if (conds.some(c => c === undefined)) continue;
        const p = plan(`SELECT * FROM ${table.name} WHERE ${conds.join(' AND ')}`);
        expect(p.root.kind, `${table.name} ${index.name}`).toBe('IndexScan');
        expect(p.rootFilter, `${table.name} ${index.name}`).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
  });

  it('never answers float predicates through an index (-0 and NaN)', () => {
    expect(plan('SELECT * FROM pet WHERE weight > 1.0').root.kind).toBe('TableScan');
  });

  it('keeps ranges over Option columns as a filter too (an open end would take in NULLs)', () => {
    // nick has no index here; the rule is exercised by the differential test's Option index.
    expect(plan("SELECT * FROM person WHERE nick > 'a'").rootFilter).toBeDefined();
  });

  it('streams ORDER BY an indexed column in index order, backwards for DESC, with no sort', () => {
    const asc = plan('SELECT * FROM person ORDER BY age LIMIT 2');
    expect(asc.root).toMatchObject({ kind: 'IndexScan', reverse: false });
    expect(indexName(asc)).toBe('person_age_idx_btree');
    expect(asc.sort).toEqual([]);
    expect(asc.orderFromIndex).toBe(true);
    const desc = plan('SELECT * FROM person ORDER BY age DESC LIMIT 2');
    expect(desc.root).toMatchObject({ kind: 'IndexScan', reverse: true });
    expect(desc.sort).toEqual([]);
  });

  it('streams ORDER BY an indexed column without LIMIT too, and with a range on it', () => {
    const all = plan('SELECT * FROM person ORDER BY age');
    expect(all.root).toMatchObject({
      kind: 'IndexScan',
      index: { name: 'person_age_idx_btree' },
      reverse: false,
    });
    expect(all.sort).toEqual([]);
    const ranged = plan('SELECT * FROM person WHERE age >= 30 ORDER BY age DESC LIMIT 3');
    expect(ranged.root).toMatchObject({
      kind: 'IndexScan',
      index: { name: 'person_age_idx_btree' },
      lower: { inclusive: true },
      reverse: true,
    });
    expect(ranged.sort).toEqual([]);
    expect(
      explainSql(schema, 'SELECT * FROM person WHERE age >= 30 ORDER BY age DESC LIMIT 3'),
    ).toContain(
      'IndexRange person AS person USING person_age_idx_btree(age) WHERE age >= 30 REVERSE',
    );
  });

  it('orders by the next index column after an equality prefix without sorting', () => {
    const p = plan("SELECT * FROM person WHERE city = 'paris' ORDER BY age DESC");
    expect(indexName(p)).toBe('person_city_age_idx_btree');
    expect(p.root).toMatchObject({ reverse: true });
    expect(p.sort).toEqual([]);
  });

  it('orders by the primary key through the primary index', () => {
    const p = plan('SELECT * FROM person ORDER BY id DESC LIMIT 1');
    expect(indexName(p)).toBe('person_id_idx_btree');
    expect(p.sort).toEqual([]);
  });

  it('sorts when no index gives the order (non-indexed column, mixed directions)', () => {
    expect(plan('SELECT * FROM person ORDER BY nick').sort).toHaveLength(1);
    expect(plan('SELECT * FROM person ORDER BY city').sort).toHaveLength(0); // (city, age) index
    expect(plan('SELECT * FROM person ORDER BY city, name').sort).toHaveLength(2);
    expect(plan('SELECT * FROM person ORDER BY age, id DESC').sort).toHaveLength(2);
    expect(plan('SELECT * FROM pet ORDER BY weight').sort).toHaveLength(1);
  });

  it("joins through the inner table's index when the join column is indexed (index nested-loop)", () => {
    const p = plan('SELECT p.name, q.kind FROM person p JOIN pet q ON q.owner = p.id');
    expect(p.joins[0]).toMatchObject({ kind: 'IndexJoin', index: { name: 'pet_owner_idx_btree' } });
    expect(p.joins[0]!.kind === 'IndexJoin' && p.joins[0]!.filter).toBeUndefined();
  });

  it("joins through an index and streams ORDER BY the outer table's index (no sort)", () => {
    const p = plan(
      'SELECT p.name, q.kind FROM person p JOIN pet q ON q.owner = p.id ORDER BY p.id DESC LIMIT 3',
    );
    expect(indexName(p)).toBe('person_id_idx_btree');
    expect(p.root).toMatchObject({ reverse: true });
    expect(p.joins[0]).toMatchObject({ kind: 'IndexJoin', index: { name: 'pet_owner_idx_btree' } });
    expect(p.sort).toEqual([]);
  });

  it('joins to a unique index when the join column is the primary key', () => {
    const p = plan('SELECT p.name FROM visit v JOIN person p ON v.person = p.id');
    expect(p.joins[0]).toMatchObject({
      kind: 'IndexJoin',
      index: { name: 'person_id_idx_btree', unique: true },
    });
  });

  it('uses a hash join when the inner join column has no index', () => {
    const p = plan('SELECT p.name FROM person p JOIN visit v ON v.person = p.id');
    expect(p.joins[0]).toMatchObject({ kind: 'HashJoin', access: { kind: 'TableScan' } });
  });

  it('pushes constant predicates of the inner table into its index', () => {
    const p = plan(
      "SELECT p.name FROM person p JOIN person o ON o.age = p.age WHERE o.city = 'paris'",
    );
    expect(p.joins[0]).toMatchObject({
      kind: 'IndexJoin',
      index: { name: 'person_city_age_idx_btree' },
    });
    expect(p.joins[0]!.kind === 'IndexJoin' && p.joins[0]!.keys.map(k => k.kind)).toEqual([
      'Const',
      'Column',
    ]);
  });

  it('uses a nested loop when a join has no equality', () => {
    expect(plan('SELECT * FROM person p JOIN pet q ON q.owner > p.id').joins[0]!.kind).toBe(
      'NestedLoopJoin',
    );
  });

  it('plans WHERE false and comparisons with NULL as empty', () => {
    expect(plan('SELECT * FROM person WHERE false').root.kind).toBe('Empty');
    expect(plan('SELECT * FROM person WHERE age = NULL').root.kind).toBe('Empty');
  });

  it('uses indexes for UPDATE and DELETE', () => {
    expect(anyPlan('DELETE FROM pet WHERE owner = 1')).toMatchObject({
      kind: 'DeletePlan',
      access: { kind: 'IndexScan', index: { name: 'pet_owner_idx_btree' } },
    });
    expect(anyPlan('DELETE FROM pet WHERE owner = 1 OR id = 4')).toMatchObject({
      kind: 'DeletePlan',
      access: { kind: 'IndexUnion' },
      filter: undefined,
    });
    expect(anyPlan("UPDATE person SET age = 1 WHERE name = 'x'")).toMatchObject({
      kind: 'UpdatePlan',
      access: { kind: 'IndexScan', index: { name: 'person_name_idx_btree' } },
    });
    expect(anyPlan('DELETE FROM pet')).toMatchObject({ access: { kind: 'TableScan' } });
  });

  it('renders a whole plan as text', () => {
    expect(
      explainSql(
        schema,
        'SELECT p.name, q.kind FROM person p JOIN pet q ON q.owner = p.id WHERE p.age > 20 ORDER BY p.age LIMIT 5',
      ),
    ).toBe(
      [
        'Project p.name, q.kind',
        '  Limit 5',
        '    IndexJoin pet AS q USING pet_owner_idx_btree ON q.owner = p.id',
        '      IndexRange person AS p USING person_age_idx_btree(age) WHERE age > 20',
      ].join('\n'),
    );
  });
});
