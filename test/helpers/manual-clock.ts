/** A clock (milliseconds) that moves only when a test moves it: for the abuse limits. */
export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = 0): ManualClock {
  let now = start;
  return {
    now: () => now,
    advance: ms => {
      now += ms;
    },
  };
}
