/**
 * @module
 * Minting a new identity for a caller without a token (`POST /v1/identity`, an anonymous HTTP
 * request, a WebSocket connect without a token): each one counts against the minting address's
 * `--rate-limit-identities-per-ip`.
 */
import type { MintedIdentity, TokenService } from '../auth/index.js';
import type { AbuseLimits } from './limits/abuse-limits.js';

/** A new identity and its token; RATE_LIMITED when `address` minted too many this minute. */
export function mintIdentity(
  tokens: TokenService,
  limits: AbuseLimits,
  address: string,
): MintedIdentity {
  limits.admitMint(address);
  return tokens.mintIdentitySync();
}
