// @ts-check
import { builtinModules } from 'node:module';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of runtime/. A unit is a top folder of runtime/ (`host`) or a file at its top
 * (`main.ts`). A unit may import only units of a LOWER rank, and only through their
 * `index.ts`; inside one unit (subfolders included) any file may import any other.
 * Ranks follow the import graph and the target in DESIGN.md:
 * http/ws → api → host → subscribe → sql → store → config → auth/log → protocol.
 * runtime/errors.ts is gone (WasmbaseError lives in protocol): importing it is refused.
 */
const LAYER_RANKS = {
  'main.ts': 9, // the entry: wires everything together
  http: 8,
  ws: 8,
  api: 7, // services shared by http and ws
  host: 6,
  subscribe: 5, // ranked above sql (not a same-rank pair): it compiles queries with sql's binder
  sql: 4,
  store: 3,
  'config.ts': 2, // the options table: needs log's level names
  auth: 1, // tokens and keys: needs only protocol's Identity and WasmbaseError
  log: 1,
  protocol: 0, // the leaf: imports nothing from runtime/ (a browser client uses it)
};

/** Same-rank imports that are allowed, as [from, to]: none other is. */
const SAME_RANK_PAIRS = [
  ['http', 'ws'], // the HTTP server mounts the WebSocket upgrade route
];

const RUNTIME_DIR = path.join(import.meta.dirname, 'runtime');

/** The unit of a path relative to runtime/, and whether the path is that unit's index. */
function unitOf(rel) {
  const parts = rel.split('/');
  const unit = parts[0] ?? '';
  const isIndex = parts.length === 2 && /^index\.(js|ts)$/.test(parts[1] ?? '');
  return { unit, isIndex: parts.length === 1 || isIndex };
}

function rankOf(unit) {
  return Object.hasOwn(LAYER_RANKS, unit) ? LAYER_RANKS[unit] : undefined;
}

function mayImport(from, to) {
  const a = rankOf(from);
  const b = rankOf(to);
  if (a === undefined || b === undefined) return false;
  return b < a || (a === b && SAME_RANK_PAIRS.some(([x, y]) => x === from && y === to));
}

/** Every unit `from` may import, highest rank first. */
function allowedFrom(from) {
  const units = Object.keys(LAYER_RANKS).filter(u => mayImport(from, u));
  units.sort((x, y) => (rankOf(y) ?? 0) - (rankOf(x) ?? 0));
  return units.length === 0 ? 'nothing (a leaf)' : units.join(', ');
}

/** The import specifier of `unit`'s index as seen from the directory `fromDir`. */
function indexSpecifier(fromDir, unit) {
  const target = path.join(RUNTIME_DIR, unit, unit.endsWith('.ts') ? '' : 'index.js');
  const rel = path.relative(fromDir, target).split(path.sep).join('/');
  return (rel.startsWith('.') ? rel : `./${rel}`).replace(/\.ts$/, '.js');
}

/** Checks one relative import of a runtime/ file; returns a report or undefined. */
function checkImport(filename, specifier) {
  const fromRel = path.relative(RUNTIME_DIR, filename).split(path.sep).join('/');
  const fromDir = path.dirname(filename);
  const toAbs = path.resolve(fromDir, specifier);
  const toRel = path.relative(RUNTIME_DIR, toAbs).split(path.sep).join('/').replace(/\.js$/, '.ts');
  if (toRel.startsWith('../')) return { messageId: 'insideRuntime', data: { target: specifier } };
  const from = unitOf(fromRel).unit;
  const to = unitOf(toRel);
  if (to.unit === 'errors.ts')
    return { messageId: 'noErrorsModule', data: { protocol: indexSpecifier(fromDir, 'protocol') } };
  if (to.unit === from) return undefined;
  for (const unit of [from, to.unit])
    if (rankOf(unit) === undefined) return { messageId: 'unranked', data: { unit } };
  if (!mayImport(from, to.unit)) {
    const data = { from, to: to.unit, allowed: allowedFrom(from) };
    return { messageId: rankOf(from) === rankOf(to.unit) ? 'sameRank' : 'upward', data };
  }
  if (!to.isIndex)
    return {
      messageId: 'indexOnly',
      data: { to: to.unit, index: indexSpecifier(fromDir, to.unit) },
    };
  return undefined;
}

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'runtime/ imports go downward by rank, through each folder’s index' },
    schema: [],
    messages: {
      upward:
        'layers/downward-only: {{from}} may not import {{to}} (same or higher rank). ' +
        'Allowed from {{from}}: {{allowed}}.',
      sameRank:
        'layers/downward-only: {{from}} and {{to}} share a rank and are not an allowed pair. ' +
        'Allowed from {{from}}: {{allowed}}.',
      indexOnly:
        "layers/index-only: import {{to}} through its public surface '{{index}}', " +
        'not a file inside it.',
      noErrorsModule:
        'layers/no-errors-module: runtime/errors.ts is gone; import WasmbaseError, ' +
        "ErrorCode, toWasmbaseError and the rest from '{{protocol}}'.",
      unranked: 'layers/unranked: {{unit}} has no rank; add it to LAYER_RANKS in eslint.config.js.',
      insideRuntime:
        'layers/inside-runtime: runtime/ imports only runtime/ files and packages, ' +
        "not '{{target}}'.",
    },
  },
  create(context) {
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      if (!source.value.startsWith('.')) return;
      const report = checkImport(context.filename, source.value);
      if (report !== undefined) context.report({ node, ...report });
    };
    return {
      ImportDeclaration: node => check(node, node.source),
      ExportNamedDeclaration: node => check(node, node.source),
      ExportAllDeclaration: node => check(node, node.source),
      ImportExpression: node => check(node, node.source),
    };
  },
};

/** A local plugin: the layer rule above. */
const layersPlugin = { rules: { layers: layersRule } };

const PORTABLE =
  'runtime/protocol is portable (a browser client uses it): no Node built-ins; ' +
  'use Uint8Array, DataView and TextEncoder/TextDecoder.';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'modules/**',
      'sdk/assembly/**',
      'bench/results/**',
      '**/build/**',
      'examples/*/module_bindings/**', // generated by `wasmbase generate`
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['runtime/**/*.ts'],
    plugins: { local: layersPlugin },
    rules: { 'no-console': 'error', 'local/layers': 'error' },
  },
  {
    // Prettier cannot break long strings, templates or comments: this keeps them under 100 too.
    files: ['runtime/**/*.ts', 'sdk/cli/**'],
    rules: { 'max-len': ['error', { code: 100, ignoreUrls: true }] },
  },
  {
    files: ['runtime/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map(name => ({ name, message: PORTABLE })),
          patterns: [{ group: ['node:*'], message: PORTABLE }],
        },
      ],
      'no-restricted-globals': ['error', { name: 'Buffer', message: PORTABLE }],
      // no-restricted-globals sees values only; this catches `Buffer` as a type.
      'no-restricted-syntax': [
        'error',
        { selector: "TSTypeReference[typeName.name='Buffer']", message: PORTABLE },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
