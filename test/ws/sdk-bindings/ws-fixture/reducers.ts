/**
 * @module
 * Parameters of the callable reducers of `modules/fixtures/ws`, in declaration order.
 */
import { t } from '../sdk.js';

export const AddPlayerParams = { name: t.string(), team: t.u32(), score: t.i64() };
export const SetScoreParams = { id: t.u32(), score: t.i64() };
export const RemovePlayerParams = { id: t.u32() };
export const AddTeamParams = { id: t.u32(), name: t.string() };
export const AddManyParams = { n: t.u32(), team: t.u32(), len: t.u32() };
export const FailParams = { message: t.string() };
