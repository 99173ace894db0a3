/**
 * @module
 * The one rule for database names: lowercase letters, digits and single hyphens, starting with
 * a letter, 3 to 64 characters, not ending with a hyphen (e.g. `quickstart`, `my-game-2`).
 */
import { Identity, WasmbaseError } from '../protocol/index.js';

const NAME = /^[a-z][a-z0-9-]{1,62}[a-z0-9]$/;

/** The longest database name, in characters. */
export const MAX_DATABASE_NAME_LENGTH = 64;

export const DATABASE_NAME_RULE =
  'lowercase letters, digits and "-", starting with a letter, 3 to 64 characters, ' +
  'no "--", not ending with "-"';

function tooLong(name: string): WasmbaseError {
  return new WasmbaseError(
    'NAME_INVALID',
    `a database name is at most ${MAX_DATABASE_NAME_LENGTH} characters; ` +
      `this one has ${name.length}`,
    { name: name.slice(0, 80) + '…', limit: MAX_DATABASE_NAME_LENGTH },
  );
}

/**
 * Throws NAME_INVALID when `nameOrIdentity` (a route's `:name_or_identity`) is longer than any
 * name or identity can be, before it reaches a lookup. Other invalid names simply match nothing.
 */
export function checkDatabaseKeyLength(nameOrIdentity: string): void {
  if (nameOrIdentity.length > MAX_DATABASE_NAME_LENGTH && !Identity.isHex(nameOrIdentity))
    throw tooLong(nameOrIdentity);
}

/** Throws NAME_INVALID unless `name` follows the rule. */
export function validateDatabaseName(name: string): void {
  if (name.length > MAX_DATABASE_NAME_LENGTH) throw tooLong(name);
  if (!NAME.test(name) || name.includes('--') || Identity.isHex(name)) {
    const shown = JSON.stringify(name.length > 80 ? name.slice(0, 80) + '…' : name);
    throw new WasmbaseError(
      'NAME_INVALID',
      `${shown} is not a valid database name: use ${DATABASE_NAME_RULE}`,
      { name: name.slice(0, 80) },
    );
  }
}
