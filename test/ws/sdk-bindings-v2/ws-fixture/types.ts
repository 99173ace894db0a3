/**
 * @module
 * The named product types of `modules/fixtures/ws` (one per table class, private tables
 * included, as the generator's `types.ts` lists every type of the module's typespace), with the
 * row types the SDK hands out.
 * Hand-written in the shape `spacetime generate --lang typescript` emits for SDK 2.x; not
 * generated.
 */
import { t as __t, type Identity } from '../sdk.js';

export const Player = __t.object('Player', {
  id: __t.u32(),
  team: __t.u32(),
  name: __t.string(),
  score: __t.i64(),
});
export const Team = __t.object('Team', { id: __t.u32(), name: __t.string() });
export const Secret = __t.object('Secret', { id: __t.u32(), note: __t.string() });
export const Gate = __t.object('Gate', { id: __t.u32(), closed: __t.bool() });
export const Visit = __t.object('Visit', {
  who: __t.identity(),
  connects: __t.u32(),
  disconnects: __t.u32(),
});

/*
 * The generator writes `export type Player = __Infer<typeof Player>`. The SDK's declaration
 * files only partly resolve under NodeNext (see ../sdk.ts), so the rows are spelled out.
 */
export interface Player {
  id: number;
  team: number;
  name: string;
  score: bigint;
}
export interface Team {
  id: number;
  name: string;
}
export interface Secret {
  id: number;
  note: string;
}
export interface Gate {
  id: number;
  closed: boolean;
}
export interface Visit {
  who: Identity;
  connects: number;
  disconnects: number;
}
