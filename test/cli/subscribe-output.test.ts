/** What `wasmbase subscribe` prints: readable cells, tables, change lines and exact JSON lines. */
import { describe, expect, it } from 'vitest';
import { cell, diffLines, initialTable, jsonLines } from '../../sdk/cli/subscribe-output.js';

const ID = '0xc200' + 'ab'.repeat(30);

describe('subscribe output', () => {
  it('shows identities as hex, timestamps as ISO 8601, options unwrapped, big ints exact', () => {
    expect(cell({ __identity__: ID })).toBe(ID);
    expect(cell({ __timestamp_micros_since_unix_epoch__: 1_700_000_000_123_456 })).toBe(
      '2023-11-14T22:13:20.123456Z',
    );
    expect(cell({ some: 5 })).toBe(5);
    expect(cell({ none: {} })).toBeNull();
    expect(cell(18446744073709551615n)).toBe('18446744073709551615');
    expect(cell({ a: { some: 'x' }, b: [1, { none: {} }] })).toEqual({ a: 'x', b: [1, null] });
  });

  it('renders initial rows as an aligned table in the rows’ column order', () => {
    const rows = [
      `{"id":1,"owner":{"__identity__":"${ID}"},"nick":{"none":{}}}`,
      `{"id":22,"owner":{"__identity__":"${ID}"},"nick":{"some":"bo"}}`,
    ];
    expect(initialTable('player', rows)).toBe(
      'player\n' +
        `id | owner${' '.repeat(ID.length - 5)} | nick\n` +
        `---+-${'-'.repeat(ID.length)}-+-----\n` +
        ` 1 | ${ID} |\n` +
        `22 | ${ID} | bo\n` +
        '(2 rows)\n',
    );
    expect(initialTable('empty', [])).toBe('empty\n(0 rows)\n');
  });

  it('prints a transaction’s deletes before its inserts, across tables', () => {
    const out = diffLines([
      { table: 'a', deletes: ['{"v":1}'], inserts: ['{"v":2}'] },
      { table: 'b', deletes: ['{"w":{"some":3}}'], inserts: [] },
    ]);
    expect(out).toBe('- a: {"v":1}\n- b: {"w":3}\n+ a: {"v":2}\n');
  });

  it('--json copies row texts unchanged (a u64 beyond 2^53 stays exact)', () => {
    const row = '{"big":18446744073709551615}';
    expect(jsonLines('initial', [{ table: 't', deletes: [], inserts: [row] }])).toBe(
      `{"event":"initial","table":"t","row":${row}}\n`,
    );
    expect(jsonLines('change', [{ table: 't', deletes: [row], inserts: [row] }])).toBe(
      `{"event":"delete","table":"t","row":${row}}\n{"event":"insert","table":"t","row":${row}}\n`,
    );
  });
});
