/**
 * @module
 * RawModuleDefV9 ⇄ its SATS-JSON form: the JSON of `GET /v1/database/:name/schema?version=9`
 * and of a module's `wasmbase_v1.schema` custom section. Parsing is strict and reports every
 * problem with its JSON path in one `MODULE_INVALID` error.
 */
import { WasmbaseError } from './error.js';
import { utf8ByteLength } from './hex-utf8.js';
import type {
  IndexAlgorithm,
  Lifecycle,
  RawIndexDefV9,
  RawModuleDefV9,
  RawReducerDefV9,
  RawScheduleDefV9,
  RawSequenceDefV9,
  RawTableDefV9,
  RawTypeDefV9,
  RawUniqueConstraintDefV9,
} from './module-def.js';
import type { AlgebraicType } from './sats.js';
import {
  isObject,
  optionFromJson,
  optionToJson,
  Problems,
  productTypeFromJson,
  productTypeToJson,
  singleKey,
  typeFromJson,
  typeToJson,
} from './sats-type-json.js';

/** Largest schema JSON text accepted, in bytes. */
export const MAX_SCHEMA_JSON_BYTES = 4 * 1024 * 1024;

/** Parses schema JSON text (UTF-8 bytes or a string). */
export function moduleDefFromJsonText(text: string | Uint8Array): RawModuleDefV9 {
  const size = typeof text === 'string' ? utf8ByteLength(text) : text.length;
  if (size > MAX_SCHEMA_JSON_BYTES) {
    throw new WasmbaseError(
      'MODULE_INVALID',
      `schema is ${size} bytes; the limit is ${MAX_SCHEMA_JSON_BYTES}`,
      { problems: [`larger than ${MAX_SCHEMA_JSON_BYTES} bytes`] },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(
      typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: true }).decode(text),
    );
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new WasmbaseError('MODULE_INVALID', `schema is not valid JSON: ${why}`, {
      problems: [`not valid JSON: ${why}`],
    });
  }
  return moduleDefFromJson(json);
}

/** Parses the SATS-JSON form of a RawModuleDefV9; throws MODULE_INVALID listing every problem. */
export function moduleDefFromJson(json: unknown): RawModuleDefV9 {
  const problems = new Problems();
  const def = parseModuleDef(json, problems);
  if (problems.list.length > 0 || def === undefined) {
    const list = problems.list.length > 0 ? problems.list : ['schema: could not be parsed'];
    throw new WasmbaseError('MODULE_INVALID', `invalid module schema: ${list.join('; ')}`, {
      problems: list,
    });
  }
  return def;
}

function arrayAt(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  problems: Problems,
): readonly unknown[] {
  const v = obj[key];
  if (Array.isArray(v)) return v;
  problems.add(`${path}.${key}`, 'expected an array');
  return [];
}

function stringAt(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  problems: Problems,
): string {
  const v = obj[key];
  if (typeof v === 'string') return v;
  problems.add(`${path}.${key}`, 'expected a string');
  return '';
}

function indexNumber(v: unknown, path: string, problems: Problems): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff) return v;
  problems.add(path, 'expected a column index (integer 0..65535)');
  return 0;
}

function colList(v: unknown, path: string, problems: Problems): number[] {
  if (!Array.isArray(v)) {
    problems.add(path, 'expected an array of column indices');
    return [];
  }
  return v.map((c, i) => indexNumber(c, `${path}[${i}]`, problems));
}

function optString(v: unknown, path: string, problems: Problems): string | undefined {
  return optionFromJson(v, path, problems, (x, p) => {
    if (typeof x === 'string') return x;
    problems.add(p, 'expected a string');
    return undefined;
  });
}

function bigIntOf(v: unknown, path: string, problems: Problems): bigint | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v) && v.length <= 40) return BigInt(v);
  problems.add(path, 'expected an integer (number or decimal string)');
  return undefined;
}

function unitTag<T extends string>(
  v: unknown,
  allowed: readonly T[],
  path: string,
  problems: Problems,
): T | undefined {
  const entry = singleKey(v);
  if (entry !== undefined && (allowed as readonly string[]).includes(entry[0]))
    return entry[0] as T;
  problems.add(path, `expected one of ${allowed.map(a => `{"${a}": []}`).join(', ')}`);
  return undefined;
}

function parseIndex(json: unknown, path: string, problems: Problems): RawIndexDefV9 | undefined {
  if (!isObject(json)) {
    problems.add(path, 'expected an index object');
    return undefined;
  }
  const name = optString(json['name'], `${path}.name`, problems);
  const accessorName = optString(json['accessor_name'], `${path}.accessor_name`, problems);
  const entry = singleKey(json['algorithm']);
  let algorithm: IndexAlgorithm | undefined;
  const at = `${path}.algorithm`;
  if (entry === undefined)
    problems.add(
      at,
      'expected {"BTree": {"columns": [...]}}, {"Hash": ...} or {"Direct": {"column": n}}',
    );
  else if (entry[0] === 'BTree' || entry[0] === 'Hash') {
    const payload = entry[1];
    const cols = Array.isArray(payload)
      ? payload
      : isObject(payload)
        ? payload['columns']
        : undefined;
    algorithm = { kind: entry[0], columns: colList(cols, `${at}.${entry[0]}.columns`, problems) };
  } else if (entry[0] === 'Direct') {
    const payload = entry[1];
    const col = isObject(payload) ? payload['column'] : payload;
    algorithm = { kind: 'Direct', column: indexNumber(col, `${at}.Direct.column`, problems) };
  } else problems.add(at, `unknown index algorithm "${entry[0]}"`);
  return algorithm === undefined ? undefined : { name, accessorName, algorithm };
}

function parseConstraint(
  json: unknown,
  path: string,
  problems: Problems,
): RawUniqueConstraintDefV9 | undefined {
  if (!isObject(json)) {
    problems.add(path, 'expected a constraint object');
    return undefined;
  }
  const name = optString(json['name'], `${path}.name`, problems);
  const data = singleKey(json['data']);
  if (data?.[0] !== 'Unique') {
    problems.add(`${path}.data`, 'expected {"Unique": {"columns": [...]}}');
    return undefined;
  }
  const payload = data[1];
  const cols = Array.isArray(payload)
    ? payload
    : isObject(payload)
      ? payload['columns']
      : undefined;
  return { name, columns: colList(cols, `${path}.data.Unique.columns`, problems) };
}

function parseSequence(
  json: unknown,
  path: string,
  problems: Problems,
): RawSequenceDefV9 | undefined {
  if (!isObject(json)) {
    problems.add(path, 'expected a sequence object');
    return undefined;
  }
  const big = (key: string) =>
    optionFromJson(json[key], `${path}.${key}`, problems, (v, p) => bigIntOf(v, p, problems));
  const increment = bigIntOf(json['increment'], `${path}.increment`, problems) ?? 1n;
  return {
    name: optString(json['name'], `${path}.name`, problems),
    column: indexNumber(json['column'], `${path}.column`, problems),
    start: big('start'),
    minValue: big('min_value'),
    maxValue: big('max_value'),
    increment,
  };
}

function parseSchedule(
  json: unknown,
  path: string,
  problems: Problems,
): RawScheduleDefV9 | undefined {
  return optionFromJson(json, path, problems, (v, p) => {
    if (!isObject(v)) {
      problems.add(p, 'expected a schedule object');
      return undefined;
    }
    return {
      name: optString(v['name'], `${p}.name`, problems),
      reducerName: stringAt(v, 'reducer_name', p, problems),
      scheduledAtColumn: indexNumber(
        v['scheduled_at_column'],
        `${p}.scheduled_at_column`,
        problems,
      ),
    };
  });
}

function parseTable(json: unknown, path: string, problems: Problems): RawTableDefV9 | undefined {
  if (!isObject(json)) {
    problems.add(path, 'expected a table object');
    return undefined;
  }
  const indexes = arrayAt(json, 'indexes', path, problems).map((v, i) =>
    parseIndex(v, `${path}.indexes[${i}]`, problems),
  );
  const constraints = arrayAt(json, 'constraints', path, problems).map((v, i) =>
    parseConstraint(v, `${path}.constraints[${i}]`, problems),
  );
  const sequences = arrayAt(json, 'sequences', path, problems).map((v, i) =>
    parseSequence(v, `${path}.sequences[${i}]`, problems),
  );
  return {
    name: stringAt(json, 'name', path, problems),
    productTypeRef: indexNumber(json['product_type_ref'], `${path}.product_type_ref`, problems),
    primaryKey: colList(json['primary_key'], `${path}.primary_key`, problems),
    indexes: indexes.filter((x): x is RawIndexDefV9 => x !== undefined),
    constraints: constraints.filter((x): x is RawUniqueConstraintDefV9 => x !== undefined),
    sequences: sequences.filter((x): x is RawSequenceDefV9 => x !== undefined),
    schedule: parseSchedule(json['schedule'], `${path}.schedule`, problems),
    tableType:
      unitTag(json['table_type'], ['User', 'System'] as const, `${path}.table_type`, problems) ??
      'User',
    tableAccess:
      unitTag(
        json['table_access'],
        ['Public', 'Private'] as const,
        `${path}.table_access`,
        problems,
      ) ?? 'Private',
  };
}

function parseReducer(
  json: unknown,
  path: string,
  problems: Problems,
): RawReducerDefV9 | undefined {
  if (!isObject(json)) {
    problems.add(path, 'expected a reducer object');
    return undefined;
  }
  const params = productTypeFromJson(json['params'], `${path}.params`, problems);
  const lifecycle = optionFromJson(json['lifecycle'], `${path}.lifecycle`, problems, (v, p) =>
    unitTag<Lifecycle>(v, ['Init', 'OnConnect', 'OnDisconnect'], p, problems),
  );
  return params === undefined
    ? undefined
    : { name: stringAt(json, 'name', path, problems), params, lifecycle };
}

function parseTypeDef(json: unknown, path: string, problems: Problems): RawTypeDefV9 | undefined {
  if (!isObject(json) || !isObject(json['name'])) {
    problems.add(
      path,
      'expected {"name": {"scope": [...], "name": ...}, "ty": n, "custom_ordering": bool}',
    );
    return undefined;
  }
  const name = json['name'];
  const scope = arrayAt(name, 'scope', `${path}.name`, problems).filter(
    (s): s is string => typeof s === 'string',
  );
  return {
    scope,
    name: stringAt(name, 'name', `${path}.name`, problems),
    ty: indexNumber(json['ty'], `${path}.ty`, problems),
    customOrdering: json['custom_ordering'] === true,
  };
}

function parseModuleDef(json: unknown, problems: Problems): RawModuleDefV9 | undefined {
  if (!isObject(json)) {
    problems.add('schema', 'expected a JSON object (RawModuleDefV9)');
    return undefined;
  }
  const typespaceJson = json['typespace'];
  const typeList =
    isObject(typespaceJson) && Array.isArray(typespaceJson['types'])
      ? typespaceJson['types']
      : undefined;
  if (typeList === undefined) problems.add('typespace', 'expected {"types": [...]}');
  const typespace = (typeList ?? []).map((t, i) =>
    typeFromJson(t, `typespace.types[${i}]`, problems),
  );
  const tables = arrayAt(json, 'tables', 'schema', problems).map((t, i) =>
    parseTable(t, `tables[${i}]`, problems),
  );
  const reducers = arrayAt(json, 'reducers', 'schema', problems).map((r, i) =>
    parseReducer(r, `reducers[${i}]`, problems),
  );
  const types = (Array.isArray(json['types']) ? json['types'] : []).map((t, i) =>
    parseTypeDef(t, `types[${i}]`, problems),
  );
  const rls = (Array.isArray(json['row_level_security']) ? json['row_level_security'] : []).map(
    (r, i) => {
      if (isObject(r) && typeof r['sql'] === 'string') return { sql: r['sql'] };
      problems.add(`row_level_security[${i}]`, 'expected {"sql": string}');
      return { sql: '' };
    },
  );
  return {
    typespace: typespace.filter((t): t is AlgebraicType => t !== undefined),
    tables: tables.filter((t): t is RawTableDefV9 => t !== undefined),
    reducers: reducers.filter((r): r is RawReducerDefV9 => r !== undefined),
    types: types.filter((t): t is RawTypeDefV9 => t !== undefined),
    miscExports: Array.isArray(json['misc_exports']) ? json['misc_exports'] : [],
    rowLevelSecurity: rls,
  };
}

const big = (v: bigint): number | string =>
  v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();

/** The SATS-JSON form, in exactly the shape and key order of SpacetimeDB's `/schema?version=9`. */
export function moduleDefToJson(def: RawModuleDefV9): unknown {
  return {
    typespace: { types: def.typespace.map(typeToJson) },
    tables: def.tables.map(t => ({
      name: t.name,
      product_type_ref: t.productTypeRef,
      primary_key: [...t.primaryKey],
      indexes: t.indexes.map(ix => ({
        name: optionToJson(ix.name),
        accessor_name: optionToJson(ix.accessorName),
        algorithm:
          ix.algorithm.kind === 'Direct'
            ? { Direct: { column: ix.algorithm.column } }
            : { [ix.algorithm.kind]: { columns: [...ix.algorithm.columns] } },
      })),
      constraints: t.constraints.map(c => ({
        name: optionToJson(c.name),
        data: { Unique: { columns: [...c.columns] } },
      })),
      sequences: t.sequences.map(s => ({
        name: optionToJson(s.name),
        column: s.column,
        start: optionToJson(s.start, big),
        min_value: optionToJson(s.minValue, big),
        max_value: optionToJson(s.maxValue, big),
        increment: big(s.increment),
      })),
      schedule: optionToJson(t.schedule, s => ({
        name: optionToJson(s.name),
        reducer_name: s.reducerName,
        scheduled_at_column: s.scheduledAtColumn,
      })),
      table_type: { [t.tableType]: [] },
      table_access: { [t.tableAccess]: [] },
    })),
    reducers: def.reducers.map(r => ({
      name: r.name,
      params: productTypeToJson(r.params),
      lifecycle: optionToJson(r.lifecycle, l => ({ [l]: [] })),
    })),
    types: def.types.map(t => ({
      name: { scope: [...t.scope], name: t.name },
      ty: t.ty,
      custom_ordering: t.customOrdering,
    })),
    misc_exports: [...def.miscExports],
    row_level_security: def.rowLevelSecurity.map(r => ({ sql: r.sql })),
  };
}
