/**
 * @module
 * The one rule for database names: lowercase letters, digits and single hyphens, starting with
 * a letter, 3 to 64 characters, not ending with a hyphen (e.g. `quickstart`, `my-game-2`).
 */
import { Identity, WasmbaseError } from '../protocol/index.js';

const NAME = /^[a-z][a-z0-9-]{1,62}[a-z0-9]$/;

export const DATABASE_NAME_RULE =
  'lowercase letters, digits and "-", starting with a letter, 3 to 64 characters, ' +
  'no "--", not ending with "-"';

/** Throws NAME_INVALID unless `name` follows the rule. */
export function validateDatabaseName(name: string): void {
  if (!NAME.test(name) || name.includes('--') || Identity.isHex(name)) {
    const shown = JSON.stringify(name.length > 80 ? name.slice(0, 80) + '…' : name);
    throw new WasmbaseError(
      'NAME_INVALID',
      `${shown} is not a valid database name: use ${DATABASE_NAME_RULE}`,
      { name: name.slice(0, 80) },
    );
  }
}
