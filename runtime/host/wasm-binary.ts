/**
 * @module
 * A small, bounds-checked reader of the parts of a WebAssembly binary that validation needs
 * and the JS API does not expose: function signatures of imports and exports, the limits of
 * the memory import, and what the module declares that costs memory once instantiated (tables,
 * functions, globals, locals, data and element segments: see `WasmDeclarations`). Malformed
 * input throws; callers turn that into MODULE_INVALID.
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface Limits {
  readonly min: number;
  readonly max: number | undefined;
  /** The limits' flag byte: bit 0 = has a maximum, bit 1 = shared, bit 2 = 64-bit. */
  readonly flags: number;
}

export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  /** Function imports: their signature. */
  readonly type?: FuncType;
  /** Memory imports: their limits, in 64 KiB pages; table imports: in elements. */
  readonly limits?: Limits;
}

export interface WasmExport {
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  readonly type?: FuncType;
}

/** What a module declares that costs memory or compile time once instantiated. */
export interface WasmDeclarations {
  /** Every table, imported ones first, with its limits in elements. */
  readonly tables: readonly Limits[];
  /** Functions, imported and defined. */
  readonly functions: number;
  /** Globals, imported and defined. */
  readonly globals: number;
  /** The most locals one function body declares (parameters not counted), and its index. */
  readonly maxLocals: { readonly count: number; readonly func: number };
  readonly dataSegments: number;
  /** Bytes of all data segments together. */
  readonly dataBytes: number;
  readonly elementSegments: number;
  /** Entries of all element segments together. */
  readonly elementEntries: number;
  /** Whether the module has a start function (it runs when the module is instantiated). */
  readonly hasStart: boolean;
}

export interface WasmSummary {
  readonly imports: readonly WasmImport[];
  readonly exports: readonly WasmExport[];
  /** Memories the module defines itself (not imported). */
  readonly ownMemories: number;
  readonly declarations: WasmDeclarations;
}

const VALTYPES: Readonly<Record<number, ValType>> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
};
const KINDS = ['function', 'table', 'memory', 'global', 'tag'] as const;

class Cursor {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  byte(): number {
    if (this.pos >= this.end) throw new Error(`unexpected end of section at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new Error(`LEB128 too long at byte ${this.pos}`);
  }
  name(): string {
    const len = this.u32();
    if (len > this.end - this.pos) throw new Error(`name overruns its section at byte ${this.pos}`);
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  valType(): ValType {
    const b = this.byte();
    const t = VALTYPES[b];
    if (t === undefined) throw new Error(`unknown value type 0x${b.toString(16)}`);
    return t;
  }
  limits(): Limits {
    const flags = this.byte();
    if ((flags & 4) !== 0) throw new Error('64-bit memories and tables are not supported');
    const min = this.u32();
    return { min, max: (flags & 1) !== 0 ? this.u32() : undefined, flags };
  }
  skip(n: number): void {
    if (n > this.end - this.pos) throw new Error(`item overruns its section at byte ${this.pos}`);
    this.pos += n;
  }
  /** Skips a constant expression up to and including its `end`. */
  constExpr(): void {
    for (let op = this.byte(); op !== 0x0b; op = this.byte()) {
      if (op === 0x41 || op === 0x42) this.sleb();
      else if (op === 0x43) this.skip(4);
      else if (op === 0x44) this.skip(8);
      else if (op === 0x23 || op === 0xd2) this.u32();
      else if (op === 0xd0) this.byte();
      else if (!EXTENDED_CONST.has(op))
        throw new Error(`unsupported opcode 0x${op.toString(16)} in a constant expression`);
    }
  }
  /** Skips a signed LEB128 of up to 64 bits. */
  sleb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new Error(`LEB128 too long at byte ${this.pos}`);
  }
}

/** i32/i64 add, sub and mul: the extended-constant proposal's operators (no immediates). */
const EXTENDED_CONST = new Set([0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e]);

interface Sections {
  readonly types: FuncType[];
  readonly funcTypeIndex: number[];
  readonly imports: WasmImport[];
  readonly rawExports: { name: string; kind: number; index: number }[];
  readonly tables: Limits[];
  ownMemories: number;
  importedFuncs: number;
  importedGlobals: number;
  definedGlobals: number;
  maxLocals: { count: number; func: number };
  dataSegments: number;
  dataBytes: number;
  elementSegments: number;
  elementEntries: number;
  hasStart: boolean;
}

function readTypes(c: Cursor, s: Sections): void {
  for (let n = c.u32(), i = 0; i < n; i++) {
    if (c.byte() !== 0x60) throw new Error('unsupported type form');
    const params = Array.from({ length: c.u32() }, () => c.valType());
    const results = Array.from({ length: c.u32() }, () => c.valType());
    s.types.push({ params, results });
  }
}

function readImports(c: Cursor, s: Sections): void {
  for (let n = c.u32(), i = 0; i < n; i++) {
    const module = c.name();
    const name = c.name();
    const kind = c.byte();
    if (kind === 0) {
      const t = s.types[c.u32()];
      s.imports.push({ module, name, kind: 'function', ...(t === undefined ? {} : { type: t }) });
      s.importedFuncs++;
    } else if (kind === 1) {
      c.valType();
      const limits = c.limits();
      s.tables.push(limits);
      s.imports.push({ module, name, kind: 'table', limits });
    } else if (kind === 2) {
      s.imports.push({ module, name, kind: 'memory', limits: c.limits() });
    } else if (kind === 3) {
      c.valType();
      c.byte();
      s.importedGlobals++;
      s.imports.push({ module, name, kind: 'global' });
    } else {
      s.imports.push({ module, name, kind: 'tag' });
      break;
    }
  }
}

function readTables(c: Cursor, s: Sections): void {
  for (let n = c.u32(), i = 0; i < n; i++) {
    if (c.bytes[c.pos] === 0x40) throw new Error('tables with an initialiser are not supported');
    c.valType();
    s.tables.push(c.limits());
  }
}

/** Counts the locals of every function body and skips the code itself. */
function readCode(c: Cursor, s: Sections): void {
  for (let n = c.u32(), i = 0; i < n; i++) {
    const size = c.u32();
    const bodyEnd = c.pos + size;
    let count = 0;
    for (let groups = c.u32(), g = 0; g < groups; g++) {
      count += c.u32();
      c.valType();
    }
    if (count > s.maxLocals.count) s.maxLocals = { count, func: s.importedFuncs + i };
    c.skip(bodyEnd - c.pos);
  }
}

function readData(c: Cursor, s: Sections): void {
  for (let n = c.u32(), i = 0; i < n; i++) {
    const flags = c.u32();
    if (flags === 2) c.u32();
    if (flags !== 1) c.constExpr();
    const len = c.u32();
    c.skip(len);
    s.dataSegments++;
    s.dataBytes += len;
  }
}

/** Element segments in their eight encodings (flag bits: passive/declared, table, exprs). */
function readElements(c: Cursor, s: Sections): void {
  for (let n = c.u32(), i = 0; i < n; i++) {
    const flags = c.u32();
    if (flags > 7) throw new Error(`unknown element segment form ${flags}`);
    const active = (flags & 1) === 0;
    const explicitTable = (flags & 2) !== 0;
    const exprs = (flags & 4) !== 0;
    if (active && explicitTable) c.u32();
    if (active) c.constExpr();
    if (!active || explicitTable) c.byte();
    const count = c.u32();
    for (let k = 0; k < count; k++) {
      if (exprs) c.constExpr();
      else c.u32();
    }
    s.elementSegments++;
    s.elementEntries += count;
  }
}

function readSection(id: number, c: Cursor, s: Sections): void {
  if (id === 1) readTypes(c, s);
  else if (id === 2) readImports(c, s);
  else if (id === 3) for (let n = c.u32(), i = 0; i < n; i++) s.funcTypeIndex.push(c.u32());
  else if (id === 4) readTables(c, s);
  else if (id === 5) s.ownMemories += c.u32();
  else if (id === 6) s.definedGlobals += c.u32();
  else if (id === 7)
    for (let n = c.u32(), i = 0; i < n; i++)
      s.rawExports.push({ name: c.name(), kind: c.byte(), index: c.u32() });
  else if (id === 8) s.hasStart = true;
  else if (id === 9) readElements(c, s);
  else if (id === 10) readCode(c, s);
  else if (id === 11) readData(c, s);
}

/** Summarises imports/exports with signatures. Assumes `WebAssembly.validate(bytes)` passed. */
export function summarizeWasm(bytes: Uint8Array): WasmSummary {
  const s: Sections = {
    types: [],
    funcTypeIndex: [],
    imports: [],
    rawExports: [],
    tables: [],
    ownMemories: 0,
    importedFuncs: 0,
    importedGlobals: 0,
    definedGlobals: 0,
    maxLocals: { count: 0, func: -1 },
    dataSegments: 0,
    dataBytes: 0,
    elementSegments: 0,
    elementEntries: 0,
    hasStart: false,
  };
  let pos = 8;
  while (pos < bytes.length) {
    const header = new Cursor(bytes, pos, bytes.length);
    const id = header.byte();
    const size = header.u32();
    const start = header.pos;
    const end = start + size;
    if (end > bytes.length) throw new Error(`section ${id} overruns the module`);
    readSection(id, new Cursor(bytes, start, end), s);
    pos = end;
  }
  const importedFuncTypes = s.imports.filter(i => i.kind === 'function').map(i => i.type);
  const funcType = (index: number): FuncType | undefined =>
    index < s.importedFuncs
      ? importedFuncTypes[index]
      : s.types[s.funcTypeIndex[index - s.importedFuncs] ?? -1];
  const exports = s.rawExports.map(e => {
    const kind = KINDS[e.kind] ?? 'tag';
    const type = kind === 'function' ? funcType(e.index) : undefined;
    return { name: e.name, kind, ...(type === undefined ? {} : { type }) };
  });
  const declarations: WasmDeclarations = {
    tables: s.tables,
    functions: s.importedFuncs + s.funcTypeIndex.length,
    globals: s.importedGlobals + s.definedGlobals,
    maxLocals: s.maxLocals,
    dataSegments: s.dataSegments,
    dataBytes: s.dataBytes,
    elementSegments: s.elementSegments,
    elementEntries: s.elementEntries,
    hasStart: s.hasStart,
  };
  return { imports: s.imports, exports, ownMemories: s.ownMemories, declarations };
}

export function formatFuncType(t: FuncType): string {
  return `(${t.params.join(', ')}) -> ${t.results.length === 0 ? '()' : t.results.join(', ')}`;
}
