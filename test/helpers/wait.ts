/**
 * @module
 * Bounded waits for tests that drive the server in-process: `until` polls a condition every 5 ms
 * and fails with the name of what did not happen; `flushed` lets pending promise callbacks and
 * the once-per-turn send scheduler run (a few `setImmediate` turns), without any timer.
 */

/** Waits until `ready()` holds, polling every 5 ms at most `tries` times. */
export async function until(ready: () => boolean, what: string, tries = 1000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (ready()) return;
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets promise callbacks and the once-per-turn send scheduler run. */
export async function flushed(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise(resolve => setImmediate(resolve));
}
