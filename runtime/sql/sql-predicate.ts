/**
 * @module
 * Predicates compiled to functions over tuples (one decoded row per source), with SQL's
 * three-valued logic: comparing with NULL (an empty Option) is unknown, and WHERE/ON keep a
 * tuple only when the predicate is true.
 */
import type { AlgebraicValue } from '../protocol/index.js';
import type { BoundExpr, BoundOperand } from './sql-bound.js';
import { compareValues, optionInner } from './sql-values.js';

/** The rows of one source, by source index. */
export type Tuple = readonly (readonly AlgebraicValue[])[];

/** Marks an empty Option (SQL NULL) inside predicate evaluation. */
const NULL = Symbol('NULL');
type Scalar = AlgebraicValue | typeof NULL;
export type Predicate = (t: Tuple) => boolean | null;

function operandReader(o: BoundOperand): (t: Tuple) => Scalar {
  if (o.kind === 'Const') {
    const v = o.value;
    return () => v;
  }
  const { source, column } = o;
  if (optionInner(o.type) === undefined) return t => t[source]![column]!;
  return t => {
    const v = t[source]![column] as { tag: number; value: AlgebraicValue };
    return v.tag === 0 ? v.value : NULL;
  };
}

/** Compiles a predicate to a function with SQL's three-valued logic (null = unknown). */
export function compilePredicate(e: BoundExpr): Predicate {
  switch (e.kind) {
    case 'Truth': {
      const v = e.value;
      return () => v;
    }
    case 'BoolColumn': {
      const read = operandReader(e.column);
      return t => {
        const v = read(t);
        return v === NULL ? null : (v as boolean);
      };
    }
    case 'IsNull': {
      const { source, column, negated } = {
        source: e.column.source,
        column: e.column.column,
        negated: e.negated,
      };
      return t => ((t[source]![column] as { tag: number }).tag === 1) !== negated;
    }
    case 'Not': {
      const inner = compilePredicate(e.expr);
      return t => {
        const v = inner(t);
        return v === null ? null : !v;
      };
    }
    case 'And': {
      const terms = e.terms.map(compilePredicate);
      return t => {
        let unknown = false;
        for (const p of terms) {
          const v = p(t);
          if (v === false) return false;
          if (v === null) unknown = true;
        }
        return unknown ? null : true;
      };
    }
    case 'Or': {
      const terms = e.terms.map(compilePredicate);
      return t => {
        let unknown = false;
        for (const p of terms) {
          const v = p(t);
          if (v === true) return true;
          if (v === null) unknown = true;
        }
        return unknown ? null : false;
      };
    }
    case 'Compare': {
      const left = operandReader(e.left);
      const right = operandReader(e.right);
      const type = e.type;
      const float = type.tag === 'F32' || type.tag === 'F64';
      const cmp = float
        ? (a: Scalar, b: Scalar): number =>
            (a as number) < (b as number)
              ? -1
              : (a as number) > (b as number)
                ? 1
                : a === b
                  ? 0
                  : NaN
        : (a: Scalar, b: Scalar): number =>
            compareValues(type, a as AlgebraicValue, b as AlgebraicValue);
      const test = {
        '=': (c: number) => c === 0,
        '!=': (c: number) => c !== 0 && !Number.isNaN(c),
        '<': (c: number) => c < 0,
        '<=': (c: number) => c <= 0,
        '>': (c: number) => c > 0,
        '>=': (c: number) => c >= 0,
      }[e.op];
      return t => {
        const a = left(t);
        const b = right(t);
        if (a === NULL || b === NULL) return null;
        return test(cmp(a, b));
      };
    }
  }
}

/** A WHERE/ON filter: keeps a tuple when the predicate is true (none: keeps all). */
export function filterOf(e: BoundExpr | undefined): ((t: Tuple) => boolean) | undefined {
  if (e === undefined) return undefined;
  const p = compilePredicate(e);
  return t => p(t) === true;
}
