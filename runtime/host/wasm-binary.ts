/**
 * @module
 * A small, bounds-checked reader of the parts of a WebAssembly binary that validation needs
 * and the JS API does not expose: function signatures of imports and exports, and the limits
 * of the memory import. Malformed input throws; callers turn that into MODULE_INVALID.
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref';

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  /** Function imports: their signature. */
  readonly type?: FuncType;
  /** Memory imports: their limits, in 64 KiB pages. */
  readonly limits?: { readonly min: number; readonly max: number | undefined };
}

export interface WasmExport {
  readonly name: string;
  readonly kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  readonly type?: FuncType;
}

export interface WasmSummary {
  readonly imports: readonly WasmImport[];
  readonly exports: readonly WasmExport[];
  /** Memories the module defines itself (not imported). */
  readonly ownMemories: number;
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
  limits(): { min: number; max: number | undefined } {
    const flags = this.byte();
    const min = this.u32();
    return { min, max: (flags & 1) !== 0 ? this.u32() : undefined };
  }
}

/** Summarises imports/exports with signatures. Assumes `WebAssembly.validate(bytes)` passed. */
export function summarizeWasm(bytes: Uint8Array): WasmSummary {
  const types: FuncType[] = [];
  const funcTypeIndex: number[] = [];
  const imports: WasmImport[] = [];
  const rawExports: { name: string; kind: number; index: number }[] = [];
  let ownMemories = 0;
  let importedFuncs = 0;
  let pos = 8;
  while (pos < bytes.length) {
    const header = new Cursor(bytes, pos, bytes.length);
    const id = header.byte();
    const size = header.u32();
    const start = header.pos;
    const end = start + size;
    if (end > bytes.length) throw new Error(`section ${id} overruns the module`);
    const c = new Cursor(bytes, start, end);
    if (id === 1) {
      for (let n = c.u32(), i = 0; i < n; i++) {
        if (c.byte() !== 0x60) throw new Error('unsupported type form');
        const params = Array.from({ length: c.u32() }, () => c.valType());
        const results = Array.from({ length: c.u32() }, () => c.valType());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = c.u32(), i = 0; i < n; i++) {
        const module = c.name();
        const name = c.name();
        const kind = c.byte();
        if (kind === 0) {
          const t = types[c.u32()];
          imports.push({ module, name, kind: 'function', ...(t === undefined ? {} : { type: t }) });
          importedFuncs++;
        } else if (kind === 1) {
          c.byte();
          c.limits();
          imports.push({ module, name, kind: 'table' });
        } else if (kind === 2) {
          imports.push({ module, name, kind: 'memory', limits: c.limits() });
        } else if (kind === 3) {
          c.valType();
          c.byte();
          imports.push({ module, name, kind: 'global' });
        } else {
          imports.push({ module, name, kind: 'tag' });
          break;
        }
      }
    } else if (id === 3) {
      for (let n = c.u32(), i = 0; i < n; i++) funcTypeIndex.push(c.u32());
    } else if (id === 5) {
      ownMemories += c.u32();
    } else if (id === 7) {
      for (let n = c.u32(), i = 0; i < n; i++)
        rawExports.push({ name: c.name(), kind: c.byte(), index: c.u32() });
    }
    pos = end;
  }
  const funcType = (index: number): FuncType | undefined => {
    if (index < importedFuncs) return imports.filter(i => i.kind === 'function')[index]?.type;
    return types[funcTypeIndex[index - importedFuncs] ?? -1];
  };
  const exports = rawExports.map(e => {
    const kind = KINDS[e.kind] ?? 'tag';
    const type = kind === 'function' ? funcType(e.index) : undefined;
    return { name: e.name, kind, ...(type === undefined ? {} : { type }) };
  });
  return { imports, exports, ownMemories };
}

export function formatFuncType(t: FuncType): string {
  return `(${t.params.join(', ')}) -> ${t.results.length === 0 ? '()' : t.results.join(', ')}`;
}
