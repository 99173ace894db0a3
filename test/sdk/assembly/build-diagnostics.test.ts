import { describe, expect, it } from 'vitest';
// @ts-expect-error build.mjs is plain JavaScript without type declarations
import { formatDiagnostics } from '../../../sdk/assembly/build.mjs';

const format = formatDiagnostics as (text: string, baseDir?: string) => string;

const plain = [
  "ERROR TS2322: Type '~lib/string/String' is not assignable to type 'i32'.",
  '    :',
  ' 29 │ export function f(): void { let y: i32 = "s"; }',
  '    │                                          ~~~',
  '    └─ in index.ts(29,42)',
  '',
  'FAILURE 1 compile error(s)',
].join('\n');

describe('formatDiagnostics', () => {
  it('turns a compiler diagnostic into one file:line:col line', () => {
    expect(format(plain)).toBe(
      "index.ts:29:42: error TS2322: Type '~lib/string/String' is not assignable to type 'i32'.",
    );
  });

  it('reads coloured compiler output the same way (the compiler colours it when CI is set)', () => {
    const coloured = plain
      .replace('ERROR', '\x1b[91mERROR\x1b[0m')
      .replace('~~~', '\x1b[91m~~~\x1b[0m')
      .replace('FAILURE', '\x1b[91mFAILURE \x1b[0m');
    expect(format(coloured)).toBe(format(plain));
  });

  it('puts the transform’s own errors under the base folder', () => {
    const text = 'wasmbase: ERROR index.ts:3:5: @table needs a name';
    expect(format(text, 'app')).toBe('app/index.ts:3:5: error: @table needs a name');
  });
});
