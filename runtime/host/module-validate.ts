/**
 * @module
 * Publish-time validation of module bytes, without running any module code: wasm validity,
 * imports (only `wasmbase_v1`, with the right signatures), imported memory and its limits,
 * what the module declares (tables, functions, globals, locals, segments: `module-limits.ts`),
 * required exports, and the embedded schema. Every problem is reported in one MODULE_INVALID
 * error; exceeded limits are also listed in its details (`limits`). Running the module's start
 * function is the next step of a publish (`WorkerPool.probe`).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_CONFIG } from '../config.js';
import {
  moduleDefFromJsonText,
  resolveModuleSchema,
  WasmbaseError,
  type ModuleSchema,
} from '../protocol/index.js';
import { ABI_NAMESPACE, HOST_FUNCTIONS, REQUIRED_EXPORTS, SCHEMA_SECTION } from './abi.js';
import {
  declarationLimits,
  declarationViolations,
  memoryViolations,
  type DeclarationLimits,
  type LimitViolation,
} from './module-limits.js';
import {
  formatFuncType,
  summarizeWasm,
  type FuncType,
  type Limits,
  type WasmSummary,
} from './wasm-binary.js';

export interface ValidatedModule {
  readonly bytes: Uint8Array;
  /** The same bytes in shared memory, handed to workers without copying. */
  readonly shared: SharedArrayBuffer;
  readonly module: WebAssembly.Module;
  readonly schema: ModuleSchema;
  /** sha256 of the bytes, hex. */
  readonly hash: string;
  /** The schema JSON text from the custom section. */
  readonly schemaJson: string;
  /** Minimum pages the memory import asks for. */
  readonly memoryMinPages: number;
  /** Maximum pages the memory import declares, if it declares one. */
  readonly memoryMaxPages: number | undefined;
  /** Elements of all the module's tables, initially (for estimates of an instance's size). */
  readonly tableElements: number;
}

function sameType(a: FuncType, b: FuncType): boolean {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((p, i) => p === b.params[i]) &&
    a.results.every((r, i) => r === b.results[i])
  );
}

function reject(problems: readonly string[], limits: readonly LimitViolation[] = []): never {
  throw new WasmbaseError('MODULE_INVALID', `module rejected: ${problems.join('; ')}`, {
    problems,
    ...(limits.length > 0 ? { limits } : {}),
  });
}

const DEFAULT_LIMITS = declarationLimits(DEFAULT_CONFIG);

/**
 * Validates `bytes` as a wasmbase module. `maxBytes` is the upload limit; `limits` bound what
 * the module may declare (the server passes its configured ones).
 */
export function validateModule(
  bytes: Uint8Array,
  maxBytes: number,
  limits: DeclarationLimits = DEFAULT_LIMITS,
): ValidatedModule {
  if (bytes.length > maxBytes) {
    throw new WasmbaseError(
      'BODY_TOO_LARGE',
      `module is ${bytes.length} bytes; the limit is ${maxBytes} (--max-module-bytes)`,
      { limit: maxBytes },
    );
  }
  if (
    bytes.length < 8 ||
    bytes[0] !== 0 ||
    bytes[1] !== 0x61 ||
    bytes[2] !== 0x73 ||
    bytes[3] !== 0x6d
  ) {
    reject(['not a WebAssembly module: it must start with the bytes 00 61 73 6d ("\\0asm")']);
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (err) {
    reject([`not a valid WebAssembly module: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const problems: string[] = [];
  let summary;
  try {
    summary = summarizeWasm(bytes);
  } catch (err) {
    reject([
      `cannot read the module's sections: ${err instanceof Error ? err.message : String(err)}`,
    ]);
  }
  const memory = checkImports(summary, problems);
  const violations = [
    ...(memory === undefined ? [] : memoryViolations(memory, limits.memoryMaxPages)),
    ...declarationViolations(summary.declarations, limits),
  ];
  problems.push(...violations.map(v => v.message));
  if (summary.ownMemories > 0)
    problems.push('the module defines its own memory; it must import it instead');
  checkExports(summary, problems);
  const { schema, schemaJson } = readSchema(module, problems);
  if (problems.length > 0 || schema === undefined || memory === undefined)
    reject(problems, violations);
  const shared = new SharedArrayBuffer(bytes.length);
  new Uint8Array(shared).set(bytes);
  return {
    bytes,
    shared,
    module,
    schema,
    hash: createHash('sha256').update(bytes).digest('hex'),
    schemaJson,
    memoryMinPages: memory.min,
    memoryMaxPages: memory.max,
    tableElements: summary.declarations.tables.reduce((sum, t) => sum + t.min, 0),
  };
}

/** The schema of the custom section, or undefined with the problems found. */
function readSchema(
  module: WebAssembly.Module,
  problems: string[],
): { schema: ModuleSchema | undefined; schemaJson: string } {
  const sections = WebAssembly.Module.customSections(module, SCHEMA_SECTION);
  let schema: ModuleSchema | undefined;
  let schemaJson = '';
  if (sections.length !== 1) {
    problems.push(
      sections.length === 0
        ? `missing custom section ${SCHEMA_SECTION} (the module's schema)`
        : `${sections.length} ${SCHEMA_SECTION} sections; expected exactly one`,
    );
  } else {
    try {
      schemaJson = new TextDecoder('utf-8', { fatal: true }).decode(sections[0]!);
      schema = resolveModuleSchema(moduleDefFromJsonText(schemaJson));
    } catch (err) {
      if (err instanceof WasmbaseError && Array.isArray(err.details?.['problems']))
        problems.push(...(err.details['problems'] as string[]).map(p => `schema: ${p}`));
      else problems.push(`schema: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { schema, schemaJson };
}

/** Checks every import; returns the memory import's limits (undefined: it is missing). */
function checkImports(summary: WasmSummary, problems: string[]): Limits | undefined {
  let memory: Limits | undefined;
  for (const imp of summary.imports) {
    const name = `${imp.module}.${imp.name}`;
    if (imp.module !== ABI_NAMESPACE) {
      problems.push(
        `import ${name} is not allowed: modules may import only from ${ABI_NAMESPACE}` +
          (imp.module === 'env'
            ? ' (build with the wasmbase SDK: it maps abort and memory to wasmbase_v1)'
            : ''),
      );
      continue;
    }
    if (imp.kind === 'memory') {
      if (imp.name !== 'memory')
        problems.push(`memory must be imported as ${ABI_NAMESPACE}.memory, not ${name}`);
      memory = imp.limits ?? { min: 1, max: undefined, flags: 0 };
      continue;
    }
    const expected = HOST_FUNCTIONS[imp.name];
    if (imp.kind !== 'function' || expected === undefined) {
      problems.push(`import ${name} is not part of the ${ABI_NAMESPACE} ABI`);
    } else if (imp.type !== undefined && !sameType(imp.type, expected)) {
      problems.push(
        `import ${name} has signature ${formatFuncType(imp.type)}; ` +
          `the ABI says ${formatFuncType(expected)}`,
      );
    }
  }
  if (memory === undefined)
    problems.push(
      `the module must import its memory as ${ABI_NAMESPACE}.memory ` +
        '(asc --importMemory; the wasmbase SDK does this)',
    );
  return memory;
}

function checkExports(summary: WasmSummary, problems: string[]): void {
  for (const [name, expected] of Object.entries(REQUIRED_EXPORTS)) {
    const exp = summary.exports.find(e => e.name === name);
    if (exp === undefined || exp.kind !== 'function')
      problems.push(`missing export ${name}${formatFuncType(expected)}`);
    else if (exp.type !== undefined && !sameType(exp.type, expected))
      problems.push(
        `export ${name} has signature ${formatFuncType(exp.type)}; ` +
          `the ABI says ${formatFuncType(expected)}`,
      );
  }
}
