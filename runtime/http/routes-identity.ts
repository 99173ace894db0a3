/**
 * @module
 * `/v1/identity` and `/v1/ping`.
 */
import { mintIdentity } from '../api/index.js';
import { WasmbaseError } from '../protocol/index.js';
import { Identity } from '../protocol/index.js';
import { bearerToken, requireCaller } from './caller.js';
import { json, text } from './request.js';
import type { Route, ServerDeps } from './server.js';

function parseIdentity(hex: string): Identity {
  if (!Identity.isHex(hex))
    throw new WasmbaseError(
      'INVALID_ARGUMENT',
      `"${hex.slice(0, 80)}" is not an identity: expected 64 hex digits`,
    );
  return Identity.fromHex(hex);
}

export function identityRoutes({ tokens, engine, limits }: ServerDeps): Route[] {
  return [
    {
      method: 'get',
      pattern: '/v1/ping',
      body: 'none',
      // Like SpacetimeDB, a token sent along is still checked (a bad one is 401).
      handler: async ctx => {
        if (bearerToken(ctx) !== undefined) await requireCaller(ctx, tokens);
        return { status: 200 };
      },
    },
    {
      method: 'post',
      pattern: '/v1/identity',
      body: 'body',
      handler: async ctx => {
        const minted = mintIdentity(tokens, limits, ctx.address);
        return json(200, { identity: minted.identity.toHex(), token: minted.token });
      },
    },
    {
      method: 'get',
      pattern: '/v1/identity/public-key',
      body: 'none',
      handler: async () =>
        text(200, tokens.publicKeyPem, { 'content-type': 'application/pem-certificate-chain' }),
    },
    {
      method: 'post',
      pattern: '/v1/identity/websocket-token',
      body: 'body',
      handler: async ctx => {
        const caller = await requireCaller(ctx, tokens);
        return json(200, { token: await tokens.websocketToken(caller.verified!) });
      },
    },
    {
      method: 'get',
      pattern: '/v1/identity/:identity/verify',
      body: 'none',
      handler: async ctx => {
        const claimed = parseIdentity(ctx.params['identity']!);
        const caller = await requireCaller(ctx, tokens);
        if (!caller.identity.equals(claimed))
          throw new WasmbaseError(
            'IDENTITY_MISMATCH',
            `the token belongs to ${caller.identity.toHex()}, not ${claimed.toHex()}`,
          );
        return { status: 204 };
      },
    },
    {
      method: 'get',
      pattern: '/v1/identity/:identity/databases',
      body: 'none',
      handler: async ctx => {
        const owner = parseIdentity(ctx.params['identity']!);
        return json(200, { identities: engine.list(owner).map(d => d.identity.toHex()) });
      },
    },
  ];
}
