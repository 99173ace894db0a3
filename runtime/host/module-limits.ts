/**
 * @module
 * Publish-time limits on what a module declares. A module of a few hundred bytes can declare a
 * table of millions of elements, or thousands of globals and locals, and each instance then
 * costs memory far beyond its linear memory. These checks read the declarations from the
 * binary (`WasmDeclarations`) before anything is instantiated; each violation names the limit,
 * the declared value and the flag that sets the limit.
 */
import type { Config } from '../config.js';
import type { Limits, WasmDeclarations } from './wasm-binary.js';

const PAGE = 65536;

/** The limits, one per option of `runtime/config.ts`. */
export interface DeclarationLimits {
  /** Linear memory cap, in 64 KiB pages (`--module-memory-bytes`). */
  readonly memoryMaxPages: number;
  readonly tableElements: number;
  readonly functions: number;
  readonly globals: number;
  readonly locals: number;
  readonly dataSegments: number;
  readonly dataBytes: number;
  readonly elementSegments: number;
  readonly elementEntries: number;
}

export function declarationLimits(config: Config): DeclarationLimits {
  return {
    memoryMaxPages: Math.floor(config.moduleMemoryBytes / PAGE),
    tableElements: config.moduleMaxTableElements,
    functions: config.moduleMaxFunctions,
    globals: config.moduleMaxGlobals,
    locals: config.moduleMaxLocals,
    dataSegments: config.moduleMaxDataSegments,
    dataBytes: config.moduleMaxDataBytes,
    elementSegments: config.moduleMaxElementSegments,
    elementEntries: config.moduleMaxElementEntries,
  };
}

/** One exceeded limit, as reported in the error's details. */
export interface LimitViolation {
  /** The flag that sets the limit, without dashes. */
  readonly flag: string;
  /** What the module declares ('unbounded': a table without a maximum). */
  readonly declared: number | 'unbounded';
  readonly limit: number;
  readonly message: string;
}

/** A violation when `declared` exceeds `limit`; `what` says what was declared, e.g. "5 globals". */
function over(
  what: (declared: number) => string,
  declared: number,
  limit: number,
  flag: string,
): LimitViolation[] {
  if (declared <= limit) return [];
  const message = `${what(declared)}; the limit is ${limit} (--${flag})`;
  return [{ flag, declared, limit, message }];
}

function tableViolations(tables: readonly Limits[], limit: number): LimitViolation[] {
  const flag = 'module-max-table-elements';
  return tables.flatMap((t, i) => {
    const found = over(n => `table ${i} declares ${n} initial elements`, t.min, limit, flag);
    if (t.max === undefined) {
      const message =
        `table ${i} declares no maximum, so it could grow without bound; ` +
        `declare one of at most ${limit} elements (--${flag})`;
      return [...found, { flag, declared: 'unbounded', limit, message }];
    }
    return [
      ...found,
      ...over(n => `table ${i} declares a maximum of ${n} elements`, t.max, limit, flag),
    ];
  });
}

/** The memory import's limits against the cap: minimum ≤ maximum ≤ cap, not shared. */
export function memoryViolations(memory: Limits, capPages: number): LimitViolation[] {
  const flag = 'module-memory-bytes';
  const pages = (n: number) => `${n} pages (${n * 64} KiB)`;
  const problems: LimitViolation[] = [];
  if ((memory.flags & 2) !== 0) {
    const message = 'the imported memory is declared shared; wasmbase memories are not shared';
    problems.push({ flag, declared: 1, limit: 0, message });
  }
  const checks: [string, number | undefined][] = [
    ['minimum', memory.min],
    ['maximum', memory.max],
  ];
  for (const [which, value] of checks) {
    if (value === undefined || value <= capPages) continue;
    const message =
      `the imported memory declares a ${which} of ${pages(value)}; ` +
      `the limit is ${pages(capPages)} (--${flag})`;
    problems.push({ flag, declared: value * PAGE, limit: capPages * PAGE, message });
  }
  return problems;
}

/** Every limit the declarations exceed (the memory import is checked by `memoryViolations`). */
export function declarationViolations(
  d: WasmDeclarations,
  limits: DeclarationLimits,
): LimitViolation[] {
  const m = 'the module declares';
  return [
    ...tableViolations(d.tables, limits.tableElements),
    ...over(n => `${m} ${n} functions`, d.functions, limits.functions, 'module-max-functions'),
    ...over(n => `${m} ${n} globals`, d.globals, limits.globals, 'module-max-globals'),
    ...over(
      n => `function ${d.maxLocals.func} declares ${n} locals`,
      d.maxLocals.count,
      limits.locals,
      'module-max-locals',
    ),
    ...over(
      n => `${m} ${n} data segments`,
      d.dataSegments,
      limits.dataSegments,
      'module-max-data-segments',
    ),
    ...over(
      n => `the data segments hold ${n} bytes`,
      d.dataBytes,
      limits.dataBytes,
      'module-max-data-bytes',
    ),
    ...over(
      n => `${m} ${n} element segments`,
      d.elementSegments,
      limits.elementSegments,
      'module-max-element-segments',
    ),
    ...over(
      n => `the element segments hold ${n} entries`,
      d.elementEntries,
      limits.elementEntries,
      'module-max-element-entries',
    ),
  ];
}
