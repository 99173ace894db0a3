/**
 * @module
 * Call ids: one counter for the whole process, so an id stays unique when a queued call moves
 * to the executor of a republished module.
 */
let last = 0;

/** The next call id (1, 2, 3, …). */
export function nextCallId(): number {
  return ++last;
}
