/**
 * @module
 * The parameter types of the callable reducers of `modules/chat` (the generator's
 * `types/reducers.ts`), spelled out rather than inferred (see ../../sdk.ts).
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x; not
 * generated.
 */
export interface SetNameParams {
  name: string;
}
export interface SendMessageParams {
  text: string;
}
