/**
 * @module
 * Identities and bearer tokens. Tokens are ES256 JWTs signed by this server; the identity of a
 * token is derived from its issuer and subject like SpacetimeDB does (`c200` + checksum + hash of
 * `iss|sub`), except that the hash is sha256 (blake3 is not available in Node's crypto), so the
 * same claims give a different identity than on SpacetimeDB.
 *
 * Tokens minted by `POST /v1/identity` do not expire: an anonymous token *is* the account, so
 * clients must keep it. Tokens for WebSocket URLs expire after 60 seconds.
 *
 * Signing and verifying are synchronous (node:crypto): the WebSocket upgrade must finish in the
 * request's own callback, without an await.
 */
import { createHash, randomBytes, sign as signBytes, verify as verifyBytes } from 'node:crypto';
import { Identity, WasmbaseError } from '../protocol/index.js';
import type { SigningKeys } from './keys.js';
import { isLowS, toLowS } from './ecdsa-low-s.js';

export const TOKEN_AUDIENCE = 'wasmbase';
/** Lifetime of tokens minted for WebSocket URLs, in seconds. */
export const WEBSOCKET_TOKEN_SECONDS = 60;
/** Longest token accepted, in characters. */
export const MAX_TOKEN_LENGTH = 8192;
/** Longest `sub` / `iss` accepted, in bytes (as SpacetimeDB). */
export const MAX_CLAIM_BYTES = 128;
/** Verified tokens remembered (least recently used dropped first). */
export const TOKEN_CACHE_LIMIT = 4096;

/** The registered claims wasmbase reads, and any others. */
export interface TokenClaims {
  readonly iss?: unknown;
  readonly sub?: unknown;
  readonly aud?: unknown;
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly [claim: string]: unknown;
}

export interface VerifiedToken {
  readonly identity: Identity;
  readonly claims: TokenClaims;
}

export interface MintedIdentity {
  readonly identity: Identity;
  readonly token: string;
}

const base64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');

function invalid(why: string): WasmbaseError {
  return new WasmbaseError('TOKEN_INVALID', `the token was not accepted: ${why}`);
}

/** The JSON object of one base64url part of a JWT. */
function jsonPart(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw invalid('it is not a well-formed JWT');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('it is not a well-formed JWT');
  return value as Record<string, unknown>;
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/** The identity of `iss|sub`. */
export function identityFromClaims(iss: string, sub: string): Identity {
  return Identity.fromHash26(createHash('sha256').update(`${iss}|${sub}`).digest());
}

export class TokenService {
  readonly #keys: SigningKeys;
  readonly #issuer: string;
  /** sha256(token) → verified claims, in least-recently-used-first order. */
  readonly #cache = new Map<string, VerifiedToken>();

  readonly #cacheLimit: number;

  /** `options.cacheLimit`: verified tokens remembered (default TOKEN_CACHE_LIMIT). */
  constructor(keys: SigningKeys, issuer: string, options: { readonly cacheLimit?: number } = {}) {
    this.#keys = keys;
    this.#issuer = issuer;
    this.#cacheLimit = Math.max(1, options.cacheLimit ?? TOKEN_CACHE_LIMIT);
  }

  get publicKeyPem(): string {
    return this.#keys.publicKeyPem;
  }

  /** How many verified tokens are remembered (at most the cache limit). */
  get cachedTokenCount(): number {
    return this.#cache.size;
  }

  /** True when `token` is in the verified-token cache (it will not be re-verified). */
  isCached(token: string): boolean {
    return this.#cache.has(tokenKey(token));
  }

  #sign(sub: string, identity: Identity, expiresInSeconds?: number): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      hex_identity: identity.toHex(),
      iss: this.#issuer,
      sub,
      aud: TOKEN_AUDIENCE,
      iat: now,
      ...(expiresInSeconds === undefined ? {} : { exp: now + expiresInSeconds }),
    };
    const input =
      `${base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }))}.` +
      base64url(JSON.stringify(claims));
    const signature = toLowS(
      signBytes('sha256', Buffer.from(input), {
        key: this.#keys.privateKey,
        dsaEncoding: 'ieee-p1363',
      }),
    );
    return `${input}.${base64url(signature)}`;
  }

  /** A new identity with a long-lived token. */
  mintIdentitySync(): MintedIdentity {
    const sub = randomBytes(16).toString('base64url');
    const identity = identityFromClaims(this.#issuer, sub);
    return { identity, token: this.#sign(sub, identity) };
  }

  async mintIdentity(): Promise<MintedIdentity> {
    return this.mintIdentitySync();
  }

  /** A short-lived token for the same identity (for `?token=` in WebSocket URLs). */
  async websocketToken(verified: VerifiedToken): Promise<string> {
    const sub = typeof verified.claims.sub === 'string' ? verified.claims.sub : '';
    return this.#sign(sub, verified.identity, WEBSOCKET_TOKEN_SECONDS);
  }

  /**
   * Verifies a bearer token: TOKEN_EXPIRED or TOKEN_INVALID (both 401) on failure. Only ES256
   * tokens signed by this server's key for its issuer and audience are accepted. Verified tokens
   * are remembered by their sha256 in a bounded LRU until they expire, so repeated calls with the
   * same token skip the signature check.
   */
  verifySync(token: string): VerifiedToken {
    if (token.length > MAX_TOKEN_LENGTH)
      throw new WasmbaseError(
        'TOKEN_INVALID',
        `the token is longer than ${MAX_TOKEN_LENGTH} characters`,
      );
    const key = tokenKey(token);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      this.#cache.delete(key);
      const exp = cached.claims.exp;
      if (exp !== undefined && exp * 1000 <= Date.now())
        throw new WasmbaseError('TOKEN_EXPIRED', 'the token has expired; get a new one');
      this.#cache.set(key, cached);
      return cached;
    }
    const claims = this.#checkSignedClaims(token);
    if (typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.iss !== 'string')
      throw new WasmbaseError('TOKEN_INVALID', 'the token has no subject');
    if (
      Buffer.byteLength(claims.sub) > MAX_CLAIM_BYTES ||
      Buffer.byteLength(claims.iss) > MAX_CLAIM_BYTES
    ) {
      throw new WasmbaseError(
        'TOKEN_INVALID',
        `the token's sub and iss must be at most ${MAX_CLAIM_BYTES} bytes`,
      );
    }
    const identity = identityFromClaims(claims.iss, claims.sub);
    if (claims['hex_identity'] !== undefined && claims['hex_identity'] !== identity.toHex()) {
      throw new WasmbaseError(
        'TOKEN_INVALID',
        "the token's hex_identity does not match its issuer and subject",
      );
    }
    const verified = { identity, claims };
    if (this.#cache.size >= this.#cacheLimit) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, verified);
    return verified;
  }

  async verify(token: string): Promise<VerifiedToken> {
    return this.verifySync(token);
  }

  /** The claims of a JWT whose ES256 signature, issuer, audience and times check out. */
  #checkSignedClaims(token: string): TokenClaims {
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid('it is not a well-formed JWT');
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = jsonPart(headerPart);
    if (header['alg'] !== 'ES256') throw invalid('its algorithm is not ES256');
    const signature = Buffer.from(signaturePart, 'base64url');
    if (!isLowS(signature)) throw invalid('its signature is not a 64-byte low-S ES256 signature');
    let signed: boolean;
    try {
      signed = verifyBytes(
        'sha256',
        Buffer.from(`${headerPart}.${payloadPart}`),
        { key: this.#keys.publicKey, dsaEncoding: 'ieee-p1363' },
        signature,
      );
    } catch {
      signed = false;
    }
    if (!signed) throw invalid("its signature does not match this server's key");
    const claims = jsonPart(payloadPart) as TokenClaims;
    const now = Date.now() / 1000;
    for (const name of ['exp', 'nbf', 'iat'] as const) {
      if (
        claims[name] !== undefined &&
        (typeof claims[name] !== 'number' || !Number.isFinite(claims[name]))
      )
        throw invalid(`claim "${name}" is invalid`);
    }
    if (claims.exp !== undefined && claims.exp <= now)
      throw new WasmbaseError('TOKEN_EXPIRED', 'the token has expired; get a new one');
    if (claims.nbf !== undefined && claims.nbf > now) throw invalid('claim "nbf" is invalid');
    if (claims.iss !== this.#issuer) throw invalid('claim "iss" is invalid');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(TOKEN_AUDIENCE)) throw invalid('claim "aud" is invalid');
    return claims;
  }
}
