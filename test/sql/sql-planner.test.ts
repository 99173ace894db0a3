/** Planner tests: the access path chosen for representative queries. */
import { describe, expect, it } from 'vitest';
import { compileSql, explainSql, type SelectPlan, type StatementPlan } from '../../runtime/sql/index.js';
import { schema } from './sql-fixtures.js';

const plan = (sql: string): SelectPlan => compileSql(schema, sql, { isOwner: true })[0] as SelectPlan;
const anyPlan = (sql: string): StatementPlan => compileSql(schema, sql, { isOwner: true })[0]!;
const indexName = (p: SelectPlan): string | undefined => (p.root.kind === 'IndexScan' ? p.root.index.name : undefined);

describe('SQL planner', () => {
  it('answers primary-key equality with a unique point lookup and nothing left to filter', () => {
    const p = plan('SELECT * FROM person WHERE id = 3');
    expect(p.root).toMatchObject({ kind: 'IndexScan', eq: [{ value: 3 }], lower: undefined, upper: undefined });
    expect(indexName(p)).toBe('person_id_idx_btree');
    expect(p.rootFilter).toBeUndefined();
    expect(explainSql(schema, 'SELECT * FROM person WHERE id = 3')).toContain('IndexPoint(unique) person AS person USING person_id_idx_btree(id) WHERE id = 3');
  });

  it('answers a range on an indexed column with an index range scan', () => {
    const p = plan('SELECT * FROM person WHERE age > 30 AND age <= 40');
    expect(indexName(p)).toBe('person_age_idx_btree');
    expect(p.root).toMatchObject({ eq: [], lower: { inclusive: false, value: { value: 30 } }, upper: { inclusive: true, value: { value: 40 } } });
    expect(p.rootFilter).toBeUndefined();
  });

  it('uses an equality prefix of a multi-column index, then a range on the next column', () => {
    const p = plan("SELECT * FROM person WHERE city = 'paris' AND age > 30");
    expect(indexName(p)).toBe('person_city_age_idx_btree');
    expect(p.root).toMatchObject({ eq: [{ value: 'paris' }], lower: { value: { value: 30 } } });
    expect(p.rootFilter).toBeUndefined();
  });

  it('uses a multi-column index for an equality on its first column alone', () => {
    expect(indexName(plan("SELECT * FROM person WHERE city = 'paris'"))).toBe('person_city_age_idx_btree');
  });

  it('prefers a unique point lookup over a range, and keeps the rest as a filter', () => {
    const p = plan("SELECT * FROM person WHERE age > 3 AND name = 'bob'");
    expect(indexName(p)).toBe('person_name_idx_btree');
    expect(p.rootFilter).toMatchObject({ kind: 'Compare', op: '>' });
  });

  it('scans the table only when no index answers the predicate', () => {
    expect(plan('SELECT * FROM person WHERE nick IS NULL').root.kind).toBe('TableScan');
    expect(plan("SELECT * FROM visit WHERE place = 'x'").root.kind).toBe('TableScan');
    expect(plan("SELECT * FROM person WHERE age = 3 OR city = 'x'").root.kind).toBe('TableScan');
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

  it('joins through the inner table\'s index when the join column is indexed (index nested-loop)', () => {
    const p = plan('SELECT p.name, q.kind FROM person p JOIN pet q ON q.owner = p.id');
    expect(p.joins[0]).toMatchObject({ kind: 'IndexJoin', index: { name: 'pet_owner_idx_btree' } });
    expect(p.joins[0]!.kind === 'IndexJoin' && p.joins[0]!.filter).toBeUndefined();
  });

  it('joins to a unique index when the join column is the primary key', () => {
    const p = plan('SELECT p.name FROM visit v JOIN person p ON v.person = p.id');
    expect(p.joins[0]).toMatchObject({ kind: 'IndexJoin', index: { name: 'person_id_idx_btree', unique: true } });
  });

  it('uses a hash join when the inner join column has no index', () => {
    const p = plan('SELECT p.name FROM person p JOIN visit v ON v.person = p.id');
    expect(p.joins[0]).toMatchObject({ kind: 'HashJoin', access: { kind: 'TableScan' } });
  });

  it('pushes constant predicates of the inner table into its index', () => {
    const p = plan("SELECT p.name FROM person p JOIN person o ON o.age = p.age WHERE o.city = 'paris'");
    expect(p.joins[0]).toMatchObject({ kind: 'IndexJoin', index: { name: 'person_city_age_idx_btree' } });
    expect(p.joins[0]!.kind === 'IndexJoin' && p.joins[0]!.keys.map(k => k.kind)).toEqual(['Const', 'Column']);
  });

  it('uses a nested loop when a join has no equality', () => {
    expect(plan('SELECT * FROM person p JOIN pet q ON q.owner > p.id').joins[0]!.kind).toBe('NestedLoopJoin');
  });

  it('plans WHERE false and comparisons with NULL as empty', () => {
    expect(plan('SELECT * FROM person WHERE false').root.kind).toBe('Empty');
    expect(plan('SELECT * FROM person WHERE age = NULL').root.kind).toBe('Empty');
  });

  it('uses indexes for UPDATE and DELETE', () => {
    expect(anyPlan('DELETE FROM pet WHERE owner = 1')).toMatchObject({ kind: 'DeletePlan', access: { kind: 'IndexScan', index: { name: 'pet_owner_idx_btree' } } });
    expect(anyPlan("UPDATE person SET age = 1 WHERE name = 'x'")).toMatchObject({ kind: 'UpdatePlan', access: { kind: 'IndexScan', index: { name: 'person_name_idx_btree' } } });
    expect(anyPlan('DELETE FROM pet')).toMatchObject({ access: { kind: 'TableScan' } });
  });

  it('renders a whole plan as text', () => {
    expect(explainSql(schema, 'SELECT p.name, q.kind FROM person p JOIN pet q ON q.owner = p.id WHERE p.age > 20 ORDER BY p.age LIMIT 5')).toBe(
      [
        'Project p.name, q.kind',
        '  Limit 5',
        '    IndexJoin pet AS q USING pet_owner_idx_btree ON q.owner = p.id',
        '      IndexRange person AS p USING person_age_idx_btree(age) WHERE age > 20',
      ].join('\n'),
    );
  });
});
