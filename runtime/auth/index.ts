/**
 * @module
 * Authentication: the server's signing keys, identities and bearer tokens.
 */
import { loadOrCreateKeys } from './keys.js';
import { TokenService } from './tokens.js';

export {
  TokenService,
  identityFromClaims,
  TOKEN_AUDIENCE,
  WEBSOCKET_TOKEN_SECONDS,
  MAX_TOKEN_LENGTH,
  MAX_CLAIM_BYTES,
  TOKEN_CACHE_LIMIT,
} from './tokens.js';
export type { VerifiedToken, MintedIdentity } from './tokens.js';
export { loadOrCreateKeys, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from './keys.js';
export { bearerToken } from './bearer.js';
export { isLowS, toLowS, toHighS } from './ecdsa-low-s.js';
export type { SigningKeys } from './keys.js';

/** The token service of a data directory (keys created on first use). */
export async function openTokenService(dataDir: string, issuer: string): Promise<TokenService> {
  return new TokenService(await loadOrCreateKeys(dataDir), issuer);
}
