/**
 * @module
 * The canonical text of a compiled query: the key under which identical queries share one
 * evaluation. Aliases become positions (`$0`, `$1`), names are quoted, ON and WHERE conditions
 * are one list, and constants are written from their converted values (`1e3` and `1000` on an
 * integer column give the same key), so spelling differences do not split a shared query.
 */
import { encodeToBytes, type AlgebraicType, type AlgebraicValue } from '../protocol/index.js';
import type { BoundExpr, BoundOperand, BoundSelect } from '../sql/index.js';

function constText(type: AlgebraicType, value: AlgebraicValue): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'string':
      return JSON.stringify(value);
    default:
      return '0x' + Buffer.from(encodeToBytes(type, value)).toString('hex');
  }
}

function operandText(s: BoundSelect, o: BoundOperand): string {
  if (o.kind === 'Const') return constText(o.type, o.value);
  return `$${o.source}.${JSON.stringify(s.sources[o.source]!.table.columns[o.column]!.name)}`;
}

function exprKey(s: BoundSelect, e: BoundExpr): string {
  switch (e.kind) {
    case 'Compare':
      return `${operandText(s, e.left)} ${e.op} ${operandText(s, e.right)}`;
    case 'And':
    case 'Or':
      return `(${e.terms.map(t => exprKey(s, t)).join(` ${e.kind.toUpperCase()} `)})`;
    case 'Not':
      return `NOT (${exprKey(s, e.expr)})`;
    case 'IsNull':
      return `${operandText(s, e.column)} IS ${e.negated ? 'NOT ' : ''}NULL`;
    case 'BoolColumn':
      return operandText(s, e.column);
    case 'Truth':
      return e.value === null ? 'NULL' : e.value ? 'TRUE' : 'FALSE';
  }
}

/** `SELECT $r.* FROM "t" $0 JOIN "u" $1 WHERE c1 AND c2` for the query's conjuncts in order. */
export function canonicalKey(
  s: BoundSelect,
  returned: number,
  conjuncts: readonly BoundExpr[],
): string {
  const from = s.sources
    .map(src => `${JSON.stringify(src.table.name)} $${src.index}`)
    .join(' JOIN ');
  const where =
    conjuncts.length === 0 ? '' : ` WHERE ${conjuncts.map(c => exprKey(s, c)).join(' AND ')}`;
  return `SELECT $${returned}.* FROM ${from}${where}`;
}
