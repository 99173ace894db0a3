/**
 * @module
 * Identities and bearer tokens. Tokens are ES256 JWTs signed by this server; the identity of a
 * token is derived from its issuer and subject like SpacetimeDB does (`c200` + checksum + hash of
 * `iss|sub`), except that the hash is sha256 (blake3 is not available in Node's crypto), so the
 * same claims give a different identity than on SpacetimeDB.
 *
 * Tokens minted by `POST /v1/identity` do not expire: an anonymous token *is* the account, so
 * clients must keep it. Tokens for WebSocket URLs expire after 60 seconds.
 */
import { createHash, randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { WasmbaseError } from '../errors.js';
import { Identity } from '../protocol/index.js';
import type { SigningKeys } from './keys.js';

export const TOKEN_AUDIENCE = 'wasmbase';
/** Lifetime of tokens minted for WebSocket URLs, in seconds. */
export const WEBSOCKET_TOKEN_SECONDS = 60;
/** Longest token accepted, in characters. */
export const MAX_TOKEN_LENGTH = 8192;
/** Longest `sub` / `iss` accepted, in bytes (as SpacetimeDB). */
export const MAX_CLAIM_BYTES = 128;
/** Verified tokens remembered (least recently used dropped first). */
export const TOKEN_CACHE_LIMIT = 4096;

export interface VerifiedToken {
  readonly identity: Identity;
  readonly claims: JWTPayload;
}

export interface MintedIdentity {
  readonly identity: Identity;
  readonly token: string;
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

  async #sign(sub: string, identity: Identity, expiresInSeconds?: number): Promise<string> {
    let jwt = new SignJWT({ hex_identity: identity.toHex() })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setIssuer(this.#issuer)
      .setSubject(sub)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt();
    if (expiresInSeconds !== undefined) jwt = jwt.setExpirationTime(`${expiresInSeconds}s`);
    return jwt.sign(this.#keys.privateKey);
  }

  /** A new identity with a long-lived token. */
  async mintIdentity(): Promise<MintedIdentity> {
    const sub = randomBytes(16).toString('base64url');
    const identity = identityFromClaims(this.#issuer, sub);
    return { identity, token: await this.#sign(sub, identity) };
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
  async verify(token: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_LENGTH) throw new WasmbaseError('TOKEN_INVALID', `the token is longer than ${MAX_TOKEN_LENGTH} characters`);
    const key = tokenKey(token);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      this.#cache.delete(key);
      const exp = cached.claims.exp;
      if (exp !== undefined && exp * 1000 <= Date.now()) throw new WasmbaseError('TOKEN_EXPIRED', 'the token has expired; get a new one');
      this.#cache.set(key, cached);
      return cached;
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.#keys.publicKey, { algorithms: ['ES256'], issuer: this.#issuer, audience: TOKEN_AUDIENCE }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new WasmbaseError('TOKEN_EXPIRED', 'the token has expired; get a new one');
      const why = err instanceof errors.JOSEAlgNotAllowed ? 'its algorithm is not ES256' : err instanceof errors.JWSSignatureVerificationFailed ? 'its signature does not match this server\'s key' : err instanceof errors.JWTClaimValidationFailed ? `claim "${err.claim}" is invalid` : 'it is not a well-formed JWT';
      throw new WasmbaseError('TOKEN_INVALID', `the token was not accepted: ${why}`);
    }
    if (typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.iss !== 'string') throw new WasmbaseError('TOKEN_INVALID', 'the token has no subject');
    if (Buffer.byteLength(claims.sub) > MAX_CLAIM_BYTES || Buffer.byteLength(claims.iss) > MAX_CLAIM_BYTES) {
      throw new WasmbaseError('TOKEN_INVALID', `the token's sub and iss must be at most ${MAX_CLAIM_BYTES} bytes`);
    }
    const identity = identityFromClaims(claims.iss, claims.sub);
    if (claims['hex_identity'] !== undefined && claims['hex_identity'] !== identity.toHex()) {
      throw new WasmbaseError('TOKEN_INVALID', 'the token\'s hex_identity does not match its issuer and subject');
    }
    const verified = { identity, claims };
    if (this.#cache.size >= this.#cacheLimit) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, verified);
    return verified;
  }
}
