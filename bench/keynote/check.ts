/**
 * @module
 * The correctness check after every run: all accounts are there, the sum of balances is what
 * the seed put in, no balance is negative — and, when every call got an answer, each balance is
 * exactly its seed plus the acknowledged transfers (no lost or phantom updates).
 */

export interface CheckResult {
  readonly ok: boolean;
  readonly accounts: number;
  readonly expectedAccounts: number;
  readonly sum: string;
  readonly expectedSum: string;
  readonly negative: number;
  /** Accounts whose balance differs from seed + acknowledged transfers; null when not checked. */
  readonly mismatched: number | null;
  readonly problems: readonly string[];
}

export function checkBalances(
  balances: BigInt64Array,
  expectedAccounts: number,
  initial: bigint,
  deltas: Int32Array | null,
): CheckResult {
  const problems: string[] = [];
  let sum = 0n;
  let negative = 0;
  for (const b of balances) {
    sum += b;
    if (b < 0n) negative++;
  }
  const expectedSum = BigInt(expectedAccounts) * initial;
  if (balances.length !== expectedAccounts)
    problems.push(`${balances.length} accounts instead of ${expectedAccounts}`);
  if (sum !== expectedSum) problems.push(`sum of balances ${sum} instead of ${expectedSum}`);
  if (negative > 0) problems.push(`${negative} negative balances`);
  let mismatched: number | null = null;
  if (deltas !== null && balances.length === expectedAccounts) {
    mismatched = 0;
    for (let i = 0; i < balances.length; i++)
      if (balances[i] !== initial + BigInt(deltas[i]!)) mismatched++;
    if (mismatched > 0)
      problems.push(`${mismatched} balances differ from the seed plus the acknowledged transfers`);
  }
  return {
    ok: problems.length === 0,
    accounts: balances.length,
    expectedAccounts,
    sum: String(sum),
    expectedSum: String(expectedSum),
    negative,
    mismatched,
    problems,
  };
}
