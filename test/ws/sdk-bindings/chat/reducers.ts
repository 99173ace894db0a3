/**
 * @module
 * Parameters of the callable reducers of `modules/chat`.
 */
import { t } from '../sdk.js';

export const SetNameParams = { name: t.string() };
export const SendMessageParams = { text: t.string() };
