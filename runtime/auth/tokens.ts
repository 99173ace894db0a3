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
const CACHE_LIMIT = 10_000;

export interface VerifiedToken {
  readonly identity: Identity;
  readonly claims: JWTPayload;
}

export interface MintedIdentity {
  readonly identity: Identity;
  readonly token: string;
}

/** The identity of `iss|sub`. */
export function identityFromClaims(iss: string, sub: string): Identity {
  return Identity.fromHash26(createHash('sha256').update(`${iss}|${sub}`).digest());
}

export class TokenService {
  readonly #keys: SigningKeys;
  readonly #issuer: string;
  readonly #cache = new Map<string, VerifiedToken>();

  constructor(keys: SigningKeys, issuer: string) {
    this.#keys = keys;
    this.#issuer = issuer;
  }

  get publicKeyPem(): string {
    return this.#keys.publicKeyPem;
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

  /** Verifies a bearer token: TOKEN_EXPIRED or TOKEN_INVALID (both 401) on failure. */
  async verify(token: string): Promise<VerifiedToken> {
    const cached = this.#cache.get(token);
    if (cached !== undefined) {
      const exp = cached.claims.exp;
      if (exp === undefined || exp * 1000 > Date.now()) return cached;
      this.#cache.delete(token);
    }
    if (token.length > MAX_TOKEN_LENGTH) throw new WasmbaseError('TOKEN_INVALID', `token is longer than ${MAX_TOKEN_LENGTH} characters`);
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.#keys.publicKey, { algorithms: ['ES256'], issuer: this.#issuer, audience: TOKEN_AUDIENCE }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new WasmbaseError('TOKEN_EXPIRED', 'the token has expired; get a new one');
      const why = err instanceof errors.JOSEAlgNotAllowed ? 'its algorithm is not ES256' : err instanceof errors.JWSSignatureVerificationFailed ? 'its signature does not match this server\'s key' : err instanceof errors.JWTClaimValidationFailed ? `claim "${err.claim}" is invalid` : 'it is not a well-formed JWT';
      throw new WasmbaseError('TOKEN_INVALID', `the token was not accepted: ${why}`);
    }
    if (typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.iss !== 'string') throw new WasmbaseError('TOKEN_INVALID', 'the token has no subject');
    const identity = identityFromClaims(claims.iss, claims.sub);
    if (claims['hex_identity'] !== undefined && claims['hex_identity'] !== identity.toHex()) {
      throw new WasmbaseError('TOKEN_INVALID', 'the token\'s hex_identity does not match its issuer and subject');
    }
    const verified = { identity, claims };
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(token, verified);
    return verified;
  }
}
