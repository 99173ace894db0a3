/**
 * @module
 * The parameter types of the callable reducers of `modules/fixtures/ws` (the generator's
 * `types/reducers.ts`), spelled out rather than inferred (see ../../sdk.ts).
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x; not
 * generated.
 */
export interface AddPlayerParams {
  name: string;
  team: number;
  score: bigint;
}
export interface SetScoreParams {
  id: number;
  score: bigint;
}
export interface RemovePlayerParams {
  id: number;
}
export interface AddTeamParams {
  id: number;
  name: string;
}
export interface PutSecretParams {
  id: number;
  note: string;
}
export interface AddManyParams {
  n: number;
  team: number;
  len: number;
}
export interface FailParams {
  message: string;
}
export interface SetGateParams {
  closed: boolean;
}
