/**
 * @module
 * The module schema a caller may read: all of it for the owner; for anyone else the public
 * tables, the reducers and only the types they use (see `visibleModuleDef`).
 */
import type { DatabaseHandle } from '../host/index.js';
import { visibleModuleDef, type RawModuleDefV9 } from '../protocol/index.js';

const visible = new WeakMap<RawModuleDefV9, RawModuleDefV9>();

/** The definition of `handle`'s module as the caller may see it. */
export function schemaFor(handle: DatabaseHandle, isOwner: boolean): RawModuleDefV9 {
  const def = handle.schema.def;
  if (isOwner) return def;
  let shown = visible.get(def);
  if (shown === undefined) visible.set(def, (shown = visibleModuleDef(def)));
  return shown;
}
