import { describe, expect, it } from 'vitest';
import { checkBalances } from '../../../bench/keynote/check.js';

describe('correctness check', () => {
  const deltas = Int32Array.of(-2, 1, 1);

  it('passes when balances are the seed plus the acknowledged transfers', () => {
    const r = checkBalances(BigInt64Array.of(8n, 11n, 11n), 3, 10n, deltas);
    expect(r).toMatchObject({
      ok: true,
      sum: '30',
      expectedSum: '30',
      negative: 0,
      mismatched: 0,
      problems: [],
    });
    expect(checkBalances(BigInt64Array.of(9n, 10n, 11n), 3, 10n, null)).toMatchObject({
      ok: true,
      mismatched: null,
    });
  });

  it('reports a changed sum, negative balances, missing accounts and lost updates', () => {
    expect(checkBalances(BigInt64Array.of(8n, 11n, 12n), 3, 10n, null).problems).toEqual([
      'sum of balances 31 instead of 30',
    ]);
    expect(checkBalances(BigInt64Array.of(-1n, 20n, 11n), 3, 10n, null).problems).toEqual([
      '1 negative balances',
    ]);
    expect(checkBalances(BigInt64Array.of(10n, 10n), 3, 10n, null).problems).toEqual([
      '2 accounts instead of 3',
      'sum of balances 20 instead of 30',
    ]);
    // Same sum, but one acknowledged transfer is not in the data (and a phantom one is).
    expect(checkBalances(BigInt64Array.of(9n, 10n, 11n), 3, 10n, deltas).problems).toEqual([
      '2 balances differ from the seed plus the acknowledged transfers',
    ]);
  });
});
