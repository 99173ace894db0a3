#!/usr/bin/env node
/**
 * Writes sdk/assembly/abi-constants.ts, the AssemblyScript copy of the host's ABI tables, so the
 * numbers are written once (in the host) and never by hand in the SDK:
 *   - ERRNO             in runtime/host/abi.ts       → namespace Errno
 *   - MODULE_LOG_LEVELS in runtime/log/module-log.ts → namespace LogLevel (names upper-cased)
 * The tables are read from the TypeScript sources with the TypeScript parser (no build and no
 * code run): each must stay an object literal of number literals. build.mjs calls this before
 * compiling modules; the file is rewritten only when its text changes, so its mtime does not
 * force rebuilds. Usage: node sdk/assembly/gen-abi-constants.mjs [--check]
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = 'sdk/assembly/abi-constants.ts';

/** The generated namespaces: where each host table lives and how its names are spelled. */
const TABLES = [
  {
    namespace: 'Errno',
    doc: 'errno values returned by the wasmbase_v1 host functions (runtime/host/README.md).',
    file: 'runtime/host/abi.ts',
    table: 'ERRNO',
    name: n => n,
  },
  {
    namespace: 'LogLevel',
    doc: 'Level numbers of log_write (PANIC is written by the abort handler).',
    file: 'runtime/log/module-log.ts',
    table: 'MODULE_LOG_LEVELS',
    name: n => n.toUpperCase(),
  },
];

function unwrap(node) {
  let n = node;
  while (ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isParenthesizedExpression(n))
    n = n.expression;
  return n;
}

function numberOf(node) {
  const n = unwrap(node);
  if (ts.isNumericLiteral(n)) return Number(n.text);
  if (
    ts.isPrefixUnaryExpression(n) &&
    n.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(n.operand)
  )
    return -Number(n.operand.text);
  return undefined;
}

/** The entries of `export const <table> = { NAME: 1, ... }` in `file`, in source order. */
export function readHostTable(file, table, root = ROOT) {
  const text = readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const fail = why => new Error(`${file}: ${table} ${why}; gen-abi-constants.mjs reads it`);
  for (const stmt of source.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    for (const decl of stmt.declarationList.declarations) {
      if (!ts.isIdentifier(decl.name) || decl.name.text !== table) continue;
      const init = decl.initializer && unwrap(decl.initializer);
      if (!init || !ts.isObjectLiteralExpression(init)) throw fail('must be an object literal');
      return init.properties.map(p => {
        const value = ts.isPropertyAssignment(p) ? numberOf(p.initializer) : undefined;
        const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name));
        if (!key || value === undefined || !Number.isInteger(value))
          throw fail(`entry ${p.getText(source)} must be NAME: <integer literal>`);
        return [p.name.text, value];
      });
    }
  }
  throw fail('was not found');
}

/** The text of abi-constants.ts for the host tables under `root`. */
export function renderAbiConstants(root = ROOT) {
  const out = [
    '// GENERATED FILE: do not edit. sdk/assembly/gen-abi-constants.mjs writes it from the',
    "// host's tables (ERRNO in runtime/host/abi.ts, MODULE_LOG_LEVELS in",
    '// runtime/log/module-log.ts); `npm run build:modules` runs it before compiling, and',
    '// test/sdk/abi-tables.test.ts fails when this file and those tables differ.',
  ];
  for (const t of TABLES) {
    out.push('', `/** ${t.doc} */`, `export namespace ${t.namespace} {`);
    for (const [name, value] of readHostTable(t.file, t.table, root))
      out.push(`  export const ${t.name(name)}: i32 = ${value};`);
    out.push('}');
  }
  return out.join('\n') + '\n';
}

/** Rewrites abi-constants.ts when it differs from the host tables; true when it changed. */
export function writeAbiConstants(root = ROOT) {
  const file = path.join(root, OUT);
  const text = renderAbiConstants(root);
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--check')) {
      const same = readFileSync(path.join(ROOT, OUT), 'utf8') === renderAbiConstants();
      process.stdout.write(same ? `${OUT} is up to date\n` : `${OUT} is stale\n`);
      process.exit(same ? 0 : 1);
    }
    process.stdout.write(`${OUT} ${writeAbiConstants() ? 'written' : 'up to date'}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
