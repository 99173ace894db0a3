/**
 * @module
 * The module definition as a non-owner may see it. Private tables are dropped, and so is every
 * trace of them: the typespace keeps only the types reachable from the public tables and the
 * reducers, renumbered densely in their original order, and `types` keeps only the names of the
 * types that remain. Row-level-security rules are the owner's business and are dropped too.
 * Nothing in the result tells how many private tables there are or what they hold.
 */
import type { RawModuleDefV9, RawTableDefV9, RawTypeDefV9 } from './module-def.js';
import type { AlgebraicType, ProductType } from './sats.js';

/** Adds to `into` every typespace index that `type` refers to, transitively. */
function collectRefs(
  type: AlgebraicType,
  typespace: readonly AlgebraicType[],
  into: Set<number>,
): void {
  switch (type.tag) {
    case 'Ref': {
      if (into.has(type.ref)) return;
      into.add(type.ref);
      const target = typespace[type.ref];
      if (target !== undefined) collectRefs(target, typespace, into);
      return;
    }
    case 'Array':
      return collectRefs(type.elem, typespace, into);
    case 'Product':
      for (const e of type.elements) collectRefs(e.type, typespace, into);
      return;
    case 'Sum':
      for (const v of type.variants) collectRefs(v.type, typespace, into);
      return;
    default:
      return;
  }
}

/** `type` with every reference renumbered through `map`. */
function renumber(type: AlgebraicType, map: ReadonlyMap<number, number>): AlgebraicType {
  switch (type.tag) {
    case 'Ref':
      return { tag: 'Ref', ref: map.get(type.ref) ?? type.ref };
    case 'Array':
      return { tag: 'Array', elem: renumber(type.elem, map) };
    case 'Product':
      return { tag: 'Product', elements: renumberElements(type.elements, map) };
    case 'Sum':
      return { tag: 'Sum', variants: renumberElements(type.variants, map) };
    default:
      return type;
  }
}

function renumberElements<E extends { readonly type: AlgebraicType }>(
  elements: readonly E[],
  map: ReadonlyMap<number, number>,
): E[] {
  return elements.map(e => ({ ...e, type: renumber(e.type, map) }));
}

function renumberProduct(p: ProductType, map: ReadonlyMap<number, number>): ProductType {
  return { elements: renumberElements(p.elements, map) };
}

/** `def` without its private tables or anything that reveals them. */
export function visibleModuleDef(def: RawModuleDefV9): RawModuleDefV9 {
  const tables: RawTableDefV9[] = def.tables.filter(t => t.tableAccess === 'Public');
  const reachable = new Set<number>();
  for (const t of tables)
    collectRefs({ tag: 'Ref', ref: t.productTypeRef }, def.typespace, reachable);
  for (const r of def.reducers)
    collectRefs({ tag: 'Product', ...r.params }, def.typespace, reachable);
  const kept = [...reachable].filter(i => i < def.typespace.length).sort((a, b) => a - b);
  const map = new Map(kept.map((old, i) => [old, i]));
  const types: RawTypeDefV9[] = def.types
    .filter(t => map.has(t.ty))
    .map(t => ({ ...t, ty: map.get(t.ty) ?? t.ty }));
  return {
    ...def,
    typespace: kept.map(i => renumber(def.typespace[i]!, map)),
    tables: tables.map(t => ({ ...t, productTypeRef: map.get(t.productTypeRef) ?? 0 })),
    reducers: def.reducers.map(r => ({ ...r, params: renumberProduct(r.params, map) })),
    types,
    rowLevelSecurity: [],
  };
}
