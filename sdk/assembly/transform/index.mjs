/**
 * The wasmbase asc transform. It reads `@table` classes and `@reducer` (and lifecycle)
 * functions from the module's sources and:
 *  - adds BSATN codecs and ids to every `@table` class (`__encode`, `__decode`, `__tableId`,
 *    `__indexId`),
 *  - checks `@scheduled("reducer")` schedule tables (a `ScheduleAt` column, a u64 primary key,
 *    a reducer taking one row of the table) and lets reducers take a table's row type,
 *  - generates a handle class per table with one typed accessor per indexed column, and makes
 *    every module-level `new Table<Row>("name")` construct it (`accounts.id.find(7)`),
 *  - generates the `__call_reducer__` dispatcher and `__describe_module__`,
 *  - embeds the RawModuleDefV9 JSON in the custom section `wasmbase_v1.schema`,
 *  - imports memory as `wasmbase_v1.memory` and exports only the ABI entry points.
 * Problems are reported as compile errors with the source location.
 */
import { Transform } from 'assemblyscript/transform';
import {
  ASTBuilder,
  CommonFlags,
  LiteralKind,
  NodeKind,
  Parser,
  Source,
  SourceKind,
  Tokenizer,
} from 'assemblyscript/dist/assemblyscript.js';
import path from 'node:path';

// The compiler's own enums, not copied numbers: a new asc release that renumbers them still works.
const NODE_CLASS = NodeKind.ClassDeclaration;
const NODE_FIELD = NodeKind.FieldDeclaration;
const NODE_FUNCTION = NodeKind.FunctionDeclaration;
const FLAG_EXPORT = CommonFlags.Export;
const FLAG_STATIC = CommonFlags.Static;
const SOURCE_USER = SourceKind.User;

const LIFECYCLE = {
  init: 'Init',
  clientConnected: 'OnConnect',
  clientDisconnected: 'OnDisconnect',
};
const FIELD_DECORATORS = new Set(['primaryKey', 'unique', 'index', 'autoInc']);
/** Members of the SDK's `Table`: a column with one of these names gets no typed accessor. */
export const TABLE_MEMBERS = new Set([
  'tableId',
  'tableName',
  'proto',
  'indexOf',
  'encodeRow',
  'readBack',
  'tryInsert',
  'insert',
  'tryUpdate',
  'update',
  'delete',
  'count',
  'iter',
  'find',
  'filter',
  'range',
  'rangeWith',
  'deleteBy',
  'clear',
]);

/** Whether a column has an index (any decorator but @autoInc makes one). */
const isIndexed = c => c.decs.some(d => d !== 'autoInc');

/**
 * Index ids as the host numbers them: the position in the concatenation of every table's
 * indexes, in table order, each table's indexes in column order. `ids[t][column] = id`.
 */
export function indexIds(tables) {
  let next = 0;
  return tables.map(t => {
    const ids = {};
    for (const c of t.columns) if (isIndexed(c)) ids[c.name] = next++;
    return ids;
  });
}

/** The generated handle class of a `@table` class. */
const handleClassName = rowName => `__wasmbase_${rowName}_Table`;
const INTEGER_TYPES = new Set(['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64']);
const PRIMITIVE_SATS = {
  bool: 'Bool',
  i8: 'I8',
  u8: 'U8',
  i16: 'I16',
  u16: 'U16',
  i32: 'I32',
  u32: 'U32',
  i64: 'I64',
  u64: 'U64',
  f32: 'F32',
  f64: 'F64',
  string: 'String',
};

const unit = () => [];
const some = v => ({ some: v });
const none = () => ({ none: [] });
const element = (name, type) => ({ name: some(name), algebraic_type: type });
const product = elements => ({ Product: { elements } });
/** SpacetimeDB's ScheduleAt: the sum Interval(TimeDuration) | Time(Timestamp). */
const SCHEDULE_AT = {
  Sum: {
    variants: [
      element('Interval', product([element('__time_duration_micros__', { I64: unit() })])),
      element('Time', product([element('__timestamp_micros_since_unix_epoch__', { I64: unit() })])),
    ],
  },
};

/** The SATS-JSON type of an AssemblyScript type written as text, or an error string. */
export function satsTypeOf(text) {
  const t = text.replace(/\s+/g, ' ').trim();
  const nullable = t.match(/^(.*?) ?\| ?null$/);
  if (nullable) {
    let inner = nullable[1].trim();
    const opt = inner.match(/^Opt<(.+)>$/);
    if (opt) inner = opt[1].trim();
    else if (PRIMITIVE_SATS[inner] && inner !== 'string')
      return {
        error: `"${t}": value types cannot be null in AssemblyScript; use Opt<${inner}> | null`,
      };
    const innerType = satsTypeOf(inner);
    if (innerType.error) return innerType;
    return {
      type: { Sum: { variants: [element('some', innerType.type), element('none', product([]))] } },
    };
  }
  if (PRIMITIVE_SATS[t]) return { type: { [PRIMITIVE_SATS[t]]: unit() } };
  if (t === 'Uint8Array') return { type: { Array: { U8: unit() } } };
  if (t === 'Identity') return { type: product([element('__identity__', { U256: unit() })]) };
  if (t === 'ConnectionId')
    return { type: product([element('__connection_id__', { U128: unit() })]) };
  if (t === 'Timestamp')
    return { type: product([element('__timestamp_micros_since_unix_epoch__', { I64: unit() })]) };
  if (t === 'ScheduleAt') return { type: SCHEDULE_AT };
  const arr = t.match(/^Array<(.+)>$/) ?? t.match(/^(\w+)\[\]$/);
  if (arr) {
    const elem = satsTypeOf(arr[1]);
    if (elem.error) return elem;
    return { type: { Array: elem.type } };
  }
  return {
    error: `unsupported type "${t}" (supported: bool, i8..i64, u8..u64, f32, f64, string, Uint8Array, Identity, ConnectionId, Timestamp, ScheduleAt, Array<T>, T | null, Opt<T> | null, a @table class)`,
  };
}

function decoratorName(d) {
  return d.name && d.name.text !== undefined ? d.name.text : ASTBuilder.build(d.name);
}

function stringArgs(d) {
  return (d.args ?? []).map(a => ASTBuilder.build(a).replace(/^["'`]|["'`]$/g, ''));
}

export default class WasmbaseTransform extends Transform {
  afterParse(parser) {
    this.problems = [];
    // The SDK's entry as the sources name it: sdk/assembly/index inside this repository, or
    // node_modules/wasmbase/sdk/assembly/index in a standalone project.
    const sdkSource = parser.sources.find(s => s.normalizedPath.endsWith('sdk/assembly/index.ts'));
    this.sdkPath = sdkSource ? sdkSource.normalizedPath.replace(/\.ts$/, '') : 'sdk/assembly/index';
    const tables = [];
    const reducers = [];
    const userSources = parser.sources.filter(
      s =>
        (s.sourceKind === SourceKind.User || s.sourceKind === SourceKind.UserEntry) &&
        !s.normalizedPath.includes('sdk/assembly/') &&
        !s.normalizedPath.startsWith('~lib'),
    );
    for (const source of userSources) {
      for (const stmt of source.statements) {
        if (stmt.kind === NODE_CLASS) this.collectTable(source, stmt, tables);
        else if (stmt.kind === NODE_FUNCTION) this.collectReducer(source, stmt, reducers);
      }
    }
    const handles = [];
    for (const source of userSources) this.checkTableHandles(source, tables, handles);
    this.resolveRowParams(tables, reducers);
    for (const table of tables) this.checkSchedule(table, reducers);
    if (this.problems.length > 0) {
      for (const p of this.problems) this.stderr.write(`wasmbase: ERROR ${p}\n`);
      throw new Error(`wasmbase: ${this.problems.length} problem(s) in module declarations`);
    }
    for (const h of handles) if (h.source !== h.table.source) h.table.handleImported = true;
    const ids = indexIds(tables);
    tables.forEach((table, i) => this.injectTableMembers(parser, table, i, ids[i]));
    for (const handle of handles) this.useHandleClass(parser, handle);
    this.schema = this.buildSchema(tables, reducers);
    const entry = userSources.find(s => s.sourceKind === SourceKind.UserEntry) ?? userSources[0];
    if (entry === undefined) return;
    const dir = path.posix.dirname(entry.normalizedPath);
    const sdk = this.relativeImport(dir, this.sdkPath);
    const imports = reducers.map(
      r =>
        `import { ${r.fn} as __r${r.id} } from "${this.relativeImport(dir, r.source.normalizedPath.replace(/\.ts$/, ''))}";`,
    );
    // Row classes taken as reducer arguments are imported under a private alias.
    const rowClasses = [...new Set(reducers.flatMap(r => r.params.map(p => p.table)))].filter(
      t => t !== undefined,
    );
    for (const t of rowClasses) {
      t.cls.flags |= FLAG_EXPORT;
      const from = this.relativeImport(dir, t.source.normalizedPath.replace(/\.ts$/, ''));
      imports.push(`import { ${t.cls.name.text} as __row_${t.cls.name.text} } from "${from}";`);
    }
    const cases = reducers.map(r => {
      const reads = r.params
        .map((p, j) => {
          const type = p.table ? `__row_${p.typeText.trim()}` : p.typeText;
          return `const a${j} = readValue<${type}>(r);`;
        })
        .join(' ');
      const call = `__r${r.id}(ctx${r.params.map((_, j) => `, a${j}`).join('')})`;
      const body = r.returnsError ? `return __wasmbase_result(${call});` : `${call}; return 0;`;
      return `    case ${r.id}: { ${reads} __wasmbase_args_end(r); ${body} }`;
    });
    const code = [
      `import { readValue, __wasmbase_args, __wasmbase_args_end, __wasmbase_context, __wasmbase_result, __wasmbase_describe, Identity, ConnectionId, Timestamp, Opt } from "${sdk}";`,
      ...imports,
      `export function __call_reducer__(id: i32, s0: i64, s1: i64, s2: i64, s3: i64, c0: i64, c1: i64, ts: i64, argsLen: i32): i32 {`,
      `  const ctx = __wasmbase_context(s0, s1, s2, s3, c0, c1, ts);`,
      `  const r = __wasmbase_args(argsLen);`,
      `  switch (id) {`,
      ...cases,
      `  }`,
      `  return 2;`,
      `}`,
      `export function __describe_module__(): void { __wasmbase_describe(${JSON.stringify(JSON.stringify(this.schema))}); }`,
    ].join('\n');
    parser.parseFile(code, path.posix.join(dir, '__wasmbase__.ts'), true);
  }

  relativeImport(fromDir, target) {
    let rel = path.posix.relative(fromDir, target);
    if (!rel.startsWith('.')) rel = './' + rel;
    return rel;
  }

  where(node) {
    const r = node.range;
    if (!r || !r.source) return 'module';
    const line = r.source.lineAt(r.start);
    return `${r.source.normalizedPath}:${line}:${r.source.columnAt()}`;
  }

  collectTable(source, cls, tables) {
    const decorators = cls.decorators ?? [];
    const tableDec = decorators.find(d => decoratorName(d) === 'table');
    if (!tableDec) {
      for (const m of cls.members) {
        if ((m.decorators ?? []).some(d => FIELD_DECORATORS.has(decoratorName(d))))
          this.problems.push(`${this.where(m)}: column decorators need a @table class`);
      }
      return;
    }
    const args = stringArgs(tableDec);
    const name = args[0];
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      this.problems.push(`${this.where(cls)}: @table needs a name like @table("person")`);
    const isPublic =
      args.includes('public') || decorators.some(d => decoratorName(d) === 'publicTable');
    const schedDec = decorators.find(d => decoratorName(d) === 'scheduled');
    const scheduled = schedDec ? (stringArgs(schedDec)[0] ?? '') : undefined;
    const columns = [];
    for (const m of cls.members) {
      if (m.kind !== NODE_FIELD || (m.flags & FLAG_STATIC) !== 0) continue;
      const decs = (m.decorators ?? []).map(decoratorName);
      for (const d of decs)
        if (!FIELD_DECORATORS.has(d))
          this.problems.push(`${this.where(m)}: unknown column decorator @${d}`);
      if (!m.type) {
        this.problems.push(`${this.where(m)}: column ${m.name.text} needs an explicit type`);
        continue;
      }
      const typeText = ASTBuilder.build(m.type);
      const sats = satsTypeOf(typeText);
      if (sats.error) this.problems.push(`${this.where(m)}: column ${m.name.text}: ${sats.error}`);
      if (decs.includes('autoInc') && !INTEGER_TYPES.has(typeText.trim()))
        this.problems.push(
          `${this.where(m)}: @autoInc needs an integer column, ${m.name.text} is ${typeText}`,
        );
      if (
        (decs.includes('primaryKey') || decs.includes('unique') || decs.includes('index')) &&
        /^(f32|f64)$/.test(typeText.trim())
      ) {
        this.problems.push(
          `${this.where(m)}: column ${m.name.text}: floating-point columns cannot be indexed`,
        );
      }
      columns.push({ name: m.name.text, typeText, type: sats.type, decs });
    }
    const pks = columns.filter(c => c.decs.includes('primaryKey'));
    if (pks.length > 1)
      this.problems.push(`${this.where(cls)}: table ${name} has more than one @primaryKey`);
    if (columns.length === 0)
      this.problems.push(`${this.where(cls)}: table ${name} has no columns`);
    tables.push({ source, cls, name, isPublic, columns, scheduled });
  }

  /**
   * Checks every module-level `new Table<Row>("name")`: Row must be a `@table` class and
   * "name" the name its `@table` gives, so a typo is a compile error, not a failed call.
   */
  checkTableHandles(source, tables, handles) {
    for (const stmt of source.statements) {
      if (stmt.kind !== NodeKind.Variable) continue;
      for (const decl of stmt.declarations) {
        const init = decl.initializer;
        if (!init || init.kind !== NodeKind.New || init.typeName.identifier.text !== 'Table')
          continue;
        const rowType = init.typeArguments?.[0];
        const arg = init.args[0];
        if (!rowType || rowType.kind !== NodeKind.NamedType) continue;
        const rowName = rowType.name.identifier.text;
        const table = tables.find(t => t.cls.name.text === rowName);
        if (!table) {
          this.problems.push(`${this.where(init)}: ${rowName} is not a @table class`);
          continue;
        }
        const isString =
          arg && arg.kind === NodeKind.Literal && arg.literalKind === LiteralKind.String;
        if (isString && arg.value !== table.name)
          this.problems.push(
            `${this.where(init)}: new Table<${rowName}>("${arg.value}"): ` +
              `${rowName} is @table("${table.name}")`,
          );
        else handles.push({ source, init, table });
      }
    }
  }

  collectReducer(source, fn, reducers) {
    const decs = (fn.decorators ?? []).map(decoratorName);
    const kind = decs.find(d => d === 'reducer' || d in LIFECYCLE);
    if (!kind) return;
    const fnName = fn.name.text;
    if ((fn.flags & FLAG_EXPORT) === 0)
      this.problems.push(`${this.where(fn)}: @${kind} function ${fnName} must be exported`);
    const params = fn.signature.parameters;
    if (params.length === 0 || ASTBuilder.build(params[0].type).trim() !== 'ReducerContext') {
      this.problems.push(
        `${this.where(fn)}: the first parameter of ${fnName} must be ctx: ReducerContext`,
      );
    }
    const rest = params.slice(1).map(p => {
      const typeText = ASTBuilder.build(p.type);
      const sats = satsTypeOf(typeText);
      // A plain class name may be a @table row type: resolved once every table is known.
      if (sats.error && /^[A-Za-z_]\w*$/.test(typeText.trim()))
        return { name: p.name.text, typeText, type: undefined, pending: sats.error, node: p };
      if (sats.error)
        this.problems.push(
          `${this.where(p)}: parameter ${p.name.text} of ${fnName}: ${sats.error}`,
        );
      return { name: p.name.text, typeText, type: sats.type };
    });
    const lifecycle = LIFECYCLE[kind];
    if (lifecycle && rest.length > 0)
      this.problems.push(`${this.where(fn)}: lifecycle reducer ${fnName} must take only ctx`);
    const ret = fn.signature.returnType
      ? ASTBuilder.build(fn.signature.returnType).replace(/\s+/g, '')
      : 'void';
    if (ret !== 'void' && ret !== 'string|null')
      this.problems.push(
        `${this.where(fn)}: reducer ${fnName} must return void or string | null (the error message), not ${ret}`,
      );
    if (reducers.some(r => r.fn === fnName))
      this.problems.push(`${this.where(fn)}: duplicate reducer name ${fnName}`);
    if (lifecycle && reducers.some(r => r.lifecycle === lifecycle))
      this.problems.push(`${this.where(fn)}: more than one @${kind} reducer`);
    reducers.push({
      id: reducers.length,
      source,
      fn: fnName,
      params: rest,
      lifecycle,
      returnsError: ret !== 'void',
    });
  }

  /** Parameters typed with a @table class become a reference to that table's row type. */
  resolveRowParams(tables, reducers) {
    for (const r of reducers) {
      for (const p of r.params) {
        if (p.pending === undefined) continue;
        const index = tables.findIndex(t => t.cls.name.text === p.typeText.trim());
        if (index < 0) {
          this.problems.push(`${this.where(p.node)}: parameter ${p.name} of ${r.fn}: ${p.pending}`);
          continue;
        }
        p.type = { Ref: index };
        p.table = tables[index];
      }
    }
  }

  /**
   * A `@scheduled("reducer")` table: one ScheduleAt column, a u64 primary key, and a reducer
   * that takes exactly one row of this table (the host checks the same at publish).
   */
  checkSchedule(table, reducers) {
    if (table.scheduled === undefined) return;
    const at = this.where(table.cls);
    const name = table.scheduled;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      this.problems.push(`${at}: @scheduled needs a reducer name like @scheduled("tick")`);
      return;
    }
    const cols = table.columns.filter(c => c.typeText.trim() === 'ScheduleAt');
    if (cols.length !== 1)
      this.problems.push(
        `${at}: schedule table ${table.name} needs exactly one ScheduleAt column, has ${cols.length}`,
      );
    const pk = table.columns.find(c => c.decs.includes('primaryKey'));
    if (!pk || pk.typeText.trim() !== 'u64')
      this.problems.push(
        `${at}: schedule table ${table.name} needs a @primaryKey u64 column (the schedule id)`,
      );
    const r = reducers.find(x => x.fn === name);
    if (!r) {
      this.problems.push(`${at}: @scheduled("${name}"): there is no @reducer ${name}`);
      return;
    }
    if (r.lifecycle || r.params.length !== 1 || r.params[0].table !== table)
      this.problems.push(
        `${at}: the scheduled reducer ${name} must take (ctx: ReducerContext, ` +
          `row: ${table.cls.name.text})`,
      );
  }

  injectTableMembers(parser, table, tableId, ids) {
    const indexCases = Object.entries(ids)
      .map(([column, id]) => `if (column == "${column}") return ${id};`)
      .join(' ');
    const members = [
      `__tableId(): u32 { return ${tableId}; }`,
      `__indexId(column: string): i32 { ${indexCases} return -1; }`,
      `__encode(w: __wasmbase_Writer): void { ${table.columns.map(c => `__wasmbase_write<${c.typeText}>(w, this.${c.name});`).join(' ')} }`,
      `__decode(r: __wasmbase_Reader): void { ${table.columns.map(c => `this.${c.name} = __wasmbase_read<${c.typeText}>(r);`).join(' ')} }`,
    ];
    const p = new Parser(parser.diagnostics);
    for (const code of members) {
      const tn = new Tokenizer(new Source(SOURCE_USER, table.source.normalizedPath, code));
      const member = p.parseClassMember(tn, table.cls);
      if (member) table.cls.members.push(member);
      else
        this.problems.push(`internal: could not generate ${code.slice(0, 20)} for ${table.name}`);
    }
    this.addSdkImport(p, table.source);
    this.addStatement(p, table.source, this.handleClassCode(table, ids), true);
  }

  /**
   * The table's handle class: `Table<Row>` plus one readonly accessor per indexed column, a
   * `UniqueIndex` for a primary key or `@unique` column, a `BTreeIndex` for an `@index` one,
   * each with its index id fixed here (no lookup, no allocation per call).
   */
  handleClassCode(table, ids) {
    const row = table.cls.name.text;
    const fields = [];
    const inits = [];
    for (const c of table.columns) {
      if (!isIndexed(c) || TABLE_MEMBERS.has(c.name)) continue;
      const unique = c.decs.includes('primaryKey') || c.decs.includes('unique');
      const kind = unique ? '__wasmbase_UniqueIndex' : '__wasmbase_BTreeIndex';
      const type = `${kind}<${row}, ${c.typeText}>`;
      fields.push(`readonly ${c.name}: ${type};`);
      inits.push(`this.${c.name} = new ${type}(${ids[c.name]}, "${table.name}.${c.name}");`);
    }
    const exported = table.handleImported ? 'export ' : '';
    return (
      `${exported}class ${handleClassName(row)} extends __wasmbase_Table<${row}> { ` +
      `${fields.join(' ')} constructor(name: string) { super(name); ${inits.join(' ')} } }`
    );
  }

  /** Makes `new Table<Row>(…)` construct the generated handle class of Row. */
  useHandleClass(parser, { source, init, table }) {
    const name = handleClassName(table.cls.name.text);
    init.typeName.identifier.text = name;
    init.typeArguments = null;
    if (source === table.source || source.__wasmbaseHandles?.has(name)) return;
    const from = this.relativeImport(
      path.posix.dirname(source.normalizedPath),
      table.source.normalizedPath.replace(/\.ts$/, ''),
    );
    this.addStatement(new Parser(parser.diagnostics), source, `import { ${name} } from "${from}";`);
    (source.__wasmbaseHandles ??= new Set()).add(name);
  }

  /** Imports the SDK names the generated members use into `source`, once. */
  addSdkImport(p, source) {
    if (source.__wasmbaseImported) return;
    const sdk = this.relativeImport(path.posix.dirname(source.normalizedPath), this.sdkPath);
    const names = [
      'Writer as __wasmbase_Writer',
      'Reader as __wasmbase_Reader',
      'writeValue as __wasmbase_write',
      'readValue as __wasmbase_read',
      'Table as __wasmbase_Table',
      'UniqueIndex as __wasmbase_UniqueIndex',
      'BTreeIndex as __wasmbase_BTreeIndex',
    ];
    this.addStatement(p, source, `import { ${names.join(', ')} } from "${sdk}";`);
    source.__wasmbaseImported = true;
  }

  /** Parses one top-level statement into `source`: first, or last when `append`. */
  addStatement(p, source, code, append = false) {
    const tn = new Tokenizer(new Source(SOURCE_USER, source.normalizedPath, code));
    p.currentSource = source;
    const stmt = p.parseTopLevelStatement(tn, null);
    if (!stmt) {
      this.problems.push(`internal: could not generate ${code.slice(0, 40)}`);
      return;
    }
    if (append) source.statements.push(stmt);
    else source.statements.unshift(stmt);
  }

  buildSchema(tables, reducers) {
    return {
      typespace: { types: tables.map(t => product(t.columns.map(c => element(c.name, c.type)))) },
      tables: tables.map((t, i) => {
        const cols = t.columns.map((c, j) => ({ ...c, j }));
        const indexed = cols.filter(c => c.decs.some(d => d !== 'autoInc'));
        const uniques = cols.filter(
          c => c.decs.includes('primaryKey') || c.decs.includes('unique'),
        );
        const pk = cols.find(c => c.decs.includes('primaryKey'));
        return {
          name: t.name,
          product_type_ref: i,
          primary_key: pk ? [pk.j] : [],
          indexes: indexed.map(c => ({
            name: some(`${t.name}_${c.name}_idx_btree`),
            accessor_name: some(c.name),
            algorithm: { BTree: { columns: [c.j] } },
          })),
          constraints: uniques.map(c => ({
            name: some(`${t.name}_${c.name}_key`),
            data: { Unique: { columns: [c.j] } },
          })),
          sequences: cols
            .filter(c => c.decs.includes('autoInc'))
            .map(c => ({
              name: some(`${t.name}_${c.name}_seq`),
              column: c.j,
              start: none(),
              min_value: none(),
              max_value: none(),
              increment: 1,
            })),
          schedule:
            t.scheduled === undefined
              ? none()
              : some({
                  name: some(`${t.name}_sched`),
                  reducer_name: t.scheduled,
                  scheduled_at_column: cols.find(c => c.typeText.trim() === 'ScheduleAt').j,
                }),
          table_type: { User: [] },
          table_access: t.isPublic ? { Public: [] } : { Private: [] },
        };
      }),
      reducers: reducers.map(r => ({
        name: r.fn,
        params: { elements: r.params.map(p => element(p.name, p.type)) },
        lifecycle: r.lifecycle ? some({ [r.lifecycle]: [] }) : none(),
      })),
      types: tables.map((t, i) => ({
        name: { scope: [], name: t.cls.name.text },
        ty: i,
        custom_ordering: true,
      })),
      misc_exports: [],
      row_level_security: [],
    };
  }

  afterCompile(module) {
    module.addMemoryImport('0', 'wasmbase_v1', 'memory', false);
    const keep = new Set(['__call_reducer__', '__describe_module__']);
    const exports = [];
    for (let i = 0, n = module.getNumExports(); i < n; i++)
      exports.push(this.exportName(module, module.getExportByIndex(i)));
    for (const name of exports) if (!keep.has(name)) module.removeExport(name);
    const bad = [];
    for (let i = 0, n = module.getNumFunctions(); i < n; i++) {
      const info = this.functionImport(module, module.getFunctionByIndex(i));
      if (info && info.module !== 'wasmbase_v1') bad.push(`${info.module}.${info.base}`);
    }
    if (bad.length > 0) {
      const hints = bad.map(b =>
        b === 'env.seed'
          ? 'env.seed (Math.random is not available: reducers must be deterministic)'
          : b === 'env.Date.now'
            ? 'env.Date.now (use ctx.timestamp)'
            : b,
      );
      throw new Error(
        `wasmbase: the module imports ${hints.join(', ')}; only wasmbase_v1 imports are allowed`,
      );
    }
    module.addCustomSection(
      'wasmbase_v1.schema',
      new TextEncoder().encode(JSON.stringify(this.schema ?? {})),
    );
  }

  exportName(module, ref) {
    return this.binaryen.getExportInfo(ref).name;
  }

  functionImport(module, ref) {
    const info = this.binaryen.getFunctionInfo(ref);
    return info.module ? { module: info.module, base: info.base } : undefined;
  }
}
