/**
 * @module
 * Seeds for the reliability suite: one 32-bit seed per test, printed, taken from `SEED=` when
 * set (to replay a run), and a small deterministic PRNG (mulberry32) drawn from it.
 */

/** Whether the wide (`LONG_TESTS=1`) variant runs. */
export const LONG = process.env['LONG_TESTS'] === '1';

/** The seed to use: `SEED` from the environment, else one from the clock. */
export function pickSeed(): number {
  const fromEnv = process.env['SEED'];
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: items => items[int(0, items.length - 1)]! };
}

/** Prints one line of figures for the README table (`[reliability] name: k=v …`). */
export function report(name: string, figures: Record<string, string | number>): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v}`);
  process.stdout.write(`[reliability] ${name}: ${parts.join(' ')}\n`);
}
