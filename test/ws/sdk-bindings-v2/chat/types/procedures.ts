/**
 * @module
 * The procedure types of `modules/chat` (the generator's `types/procedures.ts`): the
 * module has no procedures, so there are none.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x; not
 * generated.
 */
export {};
