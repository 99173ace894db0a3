/**
 * The ABI tables the host and sdk/assembly share (errnos, log levels, host functions) are
 * written once, in the host; sdk/assembly/abi-constants.ts is generated from them. These tests
 * read the AssemblyScript sources as text and diff every name and value against the host.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ABI_NAMESPACE, ERRNO, HOST_FUNCTIONS } from '../../runtime/host/index.js';
import { MODULE_LOG_LEVELS } from '../../runtime/log/index.js';
import { ROOT } from '../helpers/modules.js';

const SDK = path.join(ROOT, 'sdk/assembly');
const GENERATED = 'abi-constants.ts';
const read = (file: string) => readFileSync(path.join(SDK, file), 'utf8');

type Entries = readonly (readonly [name: string, value: number])[];

/** The `export namespace N { export const NAME: i32 = value; }` blocks of AssemblyScript text. */
function namespaces(text: string): Map<string, Entries> {
  const out = new Map<string, Entries>();
  for (const block of text.matchAll(/export namespace (\w+) \{([^}]*)\}/g)) {
    const entries = [...block[2]!.matchAll(/export const (\w+): i32 = (-?\d+);/g)].map(
      m => [m[1]!, Number(m[2])] as const,
    );
    out.set(block[1]!, entries);
  }
  return out;
}

/** Every difference between a host table and an AssemblyScript namespace, one line each. */
function diff(host: Readonly<Record<string, number>>, sdk: Entries | undefined): string[] {
  if (sdk === undefined) return ['namespace missing'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [name, value] of sdk) {
    if (seen.has(name)) problems.push(`${name} declared twice`);
    seen.add(name);
    if (!Object.hasOwn(host, name)) problems.push(`${name} = ${value} is not in the host table`);
    else if (host[name] !== value) problems.push(`${name} = ${value}; the host says ${host[name]}`);
  }
  for (const name of Object.keys(host))
    if (!seen.has(name)) problems.push(`${name} (${host[name]}) is missing`);
  return problems;
}

const upperLevels = Object.fromEntries(
  Object.entries(MODULE_LOG_LEVELS).map(([level, n]) => [level.toUpperCase(), n]),
);

describe('ABI tables shared with sdk/assembly', () => {
  const generated = namespaces(read(GENERATED));

  it('Errno has exactly the names and values of the host ERRNO', () => {
    expect(diff(ERRNO, generated.get('Errno'))).toEqual([]);
    expect(generated.get('Errno')).toHaveLength(Object.keys(ERRNO).length);
  });

  it('LogLevel has exactly the host MODULE_LOG_LEVELS (names upper-cased)', () => {
    expect(diff(upperLevels, generated.get('LogLevel'))).toEqual([]);
    expect(generated.get('LogLevel')?.map(([name]) => name)).toEqual([
      'ERROR',
      'WARN',
      'INFO',
      'DEBUG',
      'TRACE',
      'PANIC',
    ]);
  });

  it('reports every kind of drift', () => {
    const drifted = namespaces(
      read(GENERATED)
        .replace('ROW_TOO_LARGE: i32 = 32;', 'ROW_TOO_LARGE: i32 = 33;')
        .replace(/ +export const OUT_OF_BOUNDS: i32 = 34;\n/, '')
        .replace(
          'export const OK: i32 = 0;',
          'export const OK: i32 = 0; export const NEW: i32 = 99;',
        ),
    );
    expect(diff(ERRNO, drifted.get('Errno'))).toEqual([
      'NEW = 99 is not in the host table',
      'ROW_TOO_LARGE = 33; the host says 32',
      'OUT_OF_BOUNDS (34) is missing',
    ]);
    expect(diff(ERRNO, drifted.get('Nope'))).toEqual(['namespace missing']);
  });

  it('the generated file is what the generator makes from the host tables today', () => {
    const out = execFileSync(
      process.execPath,
      [path.join(SDK, 'gen-abi-constants.mjs'), '--check'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(out).toBe('sdk/assembly/abi-constants.ts is up to date\n');
  });

  it('no other SDK file writes an errno, a log level or its own copy of the tables', () => {
    const handWritten: string[] = [];
    for (const file of readdirSync(SDK).filter(f => f.endsWith('.ts') && f !== GENERATED)) {
      const text = read(file);
      const checks = [
        /namespace (Errno|LogLevel)\b/,
        /log_write\(\s*-?\d/,
        /\b(rc|errno)\s*[!=]=\s*-?\d/,
        /\bwrite\(\s*-?\d+\s*,\s*message\b/,
      ];
      for (const re of checks) if (re.test(text)) handWritten.push(`${file}: ${re.source}`);
    }
    expect(handWritten).toEqual([]);
  });

  it('the errno table of runtime/host/README.md has the same names and values', () => {
    const readme = readFileSync(path.join(ROOT, 'runtime/host/README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Errnos'));
    const rows = [...section.matchAll(/^\| (-?\d+) \| `(\w+)` \|/gm)].map(
      m => [m[2]!, Number(m[1])] as const,
    );
    // EXHAUSTED (-1) is not a failure: the README documents it with iter_next_rows.
    const { EXHAUSTED: _exhausted, ...failures } = ERRNO;
    expect(diff(failures, rows)).toEqual([]);
  });

  it('env.ts declares exactly the host functions, with their signatures', () => {
    const wasmType = (t: string) => (t === 'i64' || t === 'u64' ? 'i64' : 'i32');
    const declared = [
      ...read('env.ts').matchAll(
        /@external\("(\w+)", "(\w+)"\)\s*export declare function (\w+)\(([^)]*)\): (\w+);/g,
      ),
    ].map(m => ({
      namespace: m[1],
      name: m[2]!,
      fn: m[3],
      params: m[4]!
        .split(',')
        .filter(p => p.trim() !== '')
        .map(p => wasmType(p.split(':')[1]!.trim())),
      results: [wasmType(m[5]!)],
    }));
    expect(declared.map(d => d.name).sort()).toEqual(Object.keys(HOST_FUNCTIONS).sort());
    for (const d of declared) {
      expect(d.namespace).toBe(ABI_NAMESPACE);
      expect(d.fn, d.name).toBe(d.name);
      expect({ params: d.params, results: d.results }, d.name).toEqual(HOST_FUNCTIONS[d.name]);
    }
  });
});
