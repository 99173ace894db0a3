/**
 * @module
 * Row types of `modules/fixtures/ws`, written by hand the way `spacetime generate` (1.x) would:
 * one row builder per public table, columns in declaration order (the BSATN field order).
 */
import { t, type Identity } from '../sdk.js';

export const PlayerRow = t.row({
  id: t.u32().primaryKey().autoInc(),
  team: t.u32().index('btree'),
  name: t.string(),
  score: t.i64(),
});

export const TeamRow = t.row({
  id: t.u32().primaryKey(),
  name: t.string(),
});

export const VisitRow = t.row({
  who: t.identity().primaryKey(),
  connects: t.u32(),
  disconnects: t.u32(),
});

/*
 * The rows as the SDK hands them out. (The SDK's declaration files only partly resolve under
 * NodeNext, so these are spelled out instead of inferred from the builders.)
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

export interface Visit {
  who: Identity;
  connects: number;
  disconnects: number;
}
