/**
 * @module
 * Who is calling: the identity of the bearer token (`Authorization: Bearer` or `?token=`), or,
 * where anonymous callers are allowed, a freshly minted identity whose token is returned in the
 * `spacetime-identity` / `spacetime-identity-token` response headers (as SpacetimeDB does).
 */
import { mintIdentity, type AbuseLimits } from '../api/index.js';
import { bearerToken as bearerFrom, type TokenService, type VerifiedToken } from '../auth/index.js';
import { WasmbaseError } from '../protocol/index.js';
import type { Identity } from '../protocol/index.js';
import type { RequestContext } from './request.js';

export interface Caller {
  readonly identity: Identity;
  readonly verified: VerifiedToken | undefined;
  /** Headers to add to the reply when the identity was minted for this request. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The bearer token of a request, if any. */
export function bearerToken(ctx: RequestContext): string | undefined {
  return bearerFrom(ctx.authorization, ctx.query);
}

/** The verified caller; UNAUTHORIZED when there is no token. */
export async function requireCaller(ctx: RequestContext, tokens: TokenService): Promise<Caller> {
  const token = bearerToken(ctx);
  if (token === undefined)
    throw new WasmbaseError(
      'UNAUTHORIZED',
      'this route needs a token: send "Authorization: Bearer <token>" ' +
        '(get one with POST /v1/identity)',
    );
  const verified = await tokens.verify(token);
  return { identity: verified.identity, verified, headers: {} };
}

/**
 * The verified caller, or a new anonymous identity when there is no token (RATE_LIMITED when
 * the address minted too many).
 */
export async function callerOrAnonymous(
  ctx: RequestContext,
  tokens: TokenService,
  limits: AbuseLimits,
): Promise<Caller> {
  if (bearerToken(ctx) !== undefined) return requireCaller(ctx, tokens);
  const minted = mintIdentity(tokens, limits, ctx.address);
  return {
    identity: minted.identity,
    verified: undefined,
    headers: {
      'spacetime-identity': minted.identity.toHex(),
      'spacetime-identity-token': minted.token,
    },
  };
}
