/** Token minting and verification: every way a token can be refused, and the cache. */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { generateKeyPair, SignJWT, importPKCS8 } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  identityFromClaims,
  isLowS,
  loadOrCreateKeys,
  MAX_TOKEN_LENGTH,
  TOKEN_AUDIENCE,
  TOKEN_CACHE_LIMIT,
  TokenService,
  WEBSOCKET_TOKEN_SECONDS,
} from '../../runtime/auth/index.js';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { highSToken, lowSToken } from '../helpers/low-s-token.js';
import { tempDir } from '../helpers/temp-dir.js';

const ISSUER = 'wasmbase://test';
const keys = await loadOrCreateKeys(tempDir());
const tokens = new TokenService(keys, ISSUER);

/** The error code `promise` rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WasmbaseError) return `${err.code} ${err.status}`;
    return `not a WasmbaseError: ${String(err)}`;
  }
  return 'accepted';
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

const signed = (claims: Record<string, unknown> = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(ISSUER)
    .setSubject('someone')
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt();

afterEach(() => {
  vi.useRealTimers();
});

describe('identities', () => {
  it('derive like SpacetimeDB: c2 00, a 4-byte checksum, then 26 bytes of sha256(iss|sub)', () => {
    const hash = createHash('sha256')
      .update('https://issuer.example|user-1')
      .digest()
      .subarray(0, 26);
    const checksum = createHash('sha256')
      .update(Buffer.concat([Buffer.of(0xc2, 0x00), hash]))
      .digest()
      .subarray(0, 4);
    const expected = Buffer.concat([Buffer.of(0xc2, 0x00), checksum, hash]).toString('hex');
    expect(identityFromClaims('https://issuer.example', 'user-1').toHex()).toBe(expected);
    expect(identityFromClaims('https://issuer.example', 'user-2').toHex()).not.toBe(expected);
  });
});

describe('minting and verifying', () => {
  it('mints a non-expiring ES256 token whose hex_identity matches the identity it verifies to', async () => {
    const minted = await tokens.mintIdentity();
    const header = JSON.parse(
      Buffer.from(minted.token.split('.')[0]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(header['alg']).toBe('ES256');
    const claims = claimsOf(minted.token);
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: TOKEN_AUDIENCE,
      hex_identity: minted.identity.toHex(),
    });
    expect(claims['exp']).toBeUndefined();
    expect(minted.identity.toHex()).toBe(identityFromClaims(ISSUER, String(claims['sub'])).toHex());
    const verified = await tokens.verify(minted.token);
    expect(verified.identity.toHex()).toBe(minted.identity.toHex());
    expect(verified.claims['sub']).toBe(claims['sub']);
  });

  it('gives every minted identity a different subject', async () => {
    const a = await tokens.mintIdentity();
    const b = await tokens.mintIdentity();
    expect(a.identity.equals(b.identity)).toBe(false);
  });

  it('websocket tokens carry the same identity and expire after 60 seconds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2030-01-01T00:00:00Z');
    vi.setSystemTime(start);
    const minted = await tokens.mintIdentity();
    const wsToken = await tokens.websocketToken(await tokens.verify(minted.token));
    const claims = claimsOf(wsToken);
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(WEBSOCKET_TOKEN_SECONDS);
    expect(WEBSOCKET_TOKEN_SECONDS).toBe(60);
    expect((await tokens.verify(wsToken)).identity.equals(minted.identity)).toBe(true);
    vi.setSystemTime(start.getTime() + 59_000);
    expect((await tokens.verify(wsToken)).identity.equals(minted.identity)).toBe(true);
    // Cached by now: the cache must still respect exp.
    vi.setSystemTime(start.getTime() + 61_000);
    expect(await codeOf(tokens.verify(wsToken))).toBe('TOKEN_EXPIRED 401');
    // And a fresh service (no cache) says the same.
    expect(await codeOf(new TokenService(keys, ISSUER).verify(wsToken))).toBe('TOKEN_EXPIRED 401');
    // The long-lived token is unaffected.
    expect(await codeOf(tokens.verify(minted.token))).toBe('accepted');
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signed()
      .setIssuedAt(now - 100)
      .setExpirationTime(now - 10)
      .sign(keys.privateKey);
    expect(await codeOf(tokens.verify(lowSToken(token)))).toBe('TOKEN_EXPIRED 401');
  });
});

describe('ES256 signature malleability', () => {
  const sigOf = (token: string) => Buffer.from(token.split('.')[2]!, 'base64url');

  it('mints only low-S signatures (20 tokens)', () => {
    for (let i = 0; i < 20; i++) {
      const minted = tokens.mintIdentitySync();
      expect(isLowS(sigOf(minted.token))).toBe(true);
      expect(highSToken(minted.token)).not.toBe(minted.token);
    }
  });

  it('refuses the high-S twin of a valid token, and accepts its low-S form', async () => {
    for (let i = 0; i < 8; i++) {
      const token = await signed().setSubject(`user-${i}`).sign(keys.privateKey);
      const low = lowSToken(token);
      const high = highSToken(token);
      expect(isLowS(sigOf(high))).toBe(false);
      const fresh = new TokenService(keys, ISSUER);
      expect(await codeOf(fresh.verify(low))).toBe('accepted');
      expect(await codeOf(fresh.verify(high))).toBe('TOKEN_INVALID 401');
    }
  });

  it('refuses the high-S twin of a minted token even after the original was cached', async () => {
    const minted = tokens.mintIdentitySync();
    expect(await codeOf(tokens.verify(minted.token))).toBe('accepted');
    expect(await codeOf(tokens.verify(highSToken(minted.token)))).toBe('TOKEN_INVALID 401');
  });
});

describe('refusals: all TOKEN_INVALID 401', () => {
  const cases: [string, () => Promise<string>][] = [
    ['garbage', async () => 'not-a-jwt'],
    ['three garbage segments', async () => 'a.b.c'],
    ['empty', async () => ''],
    ['over the length limit', async () => 'x'.repeat(MAX_TOKEN_LENGTH + 1)],
    [
      'signed by a foreign ES256 key',
      async () => signed().sign((await generateKeyPair('ES256')).privateKey),
    ],
    [
      'HS256 (never accepted)',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setSubject('x')
          .setAudience(TOKEN_AUDIENCE)
          .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!')),
    ],
    [
      'RS256',
      async () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        return new SignJWT({})
          .setProtectedHeader({ alg: 'RS256' })
          .setIssuer(ISSUER)
          .setSubject('x')
          .setAudience(TOKEN_AUDIENCE)
          .sign(await importPKCS8(pem, 'RS256'));
      },
    ],
    [
      'alg none',
      async () => {
        const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
        return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: ISSUER, sub: 'x', aud: TOKEN_AUDIENCE })}.`;
      },
    ],
    [
      'a foreign issuer on our own key',
      async () => signed().setIssuer('https://elsewhere.example').sign(keys.privateKey),
    ],
    ['the wrong audience', async () => signed().setAudience('spacetimedb').sign(keys.privateKey)],
    [
      'no subject',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuer(ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .sign(keys.privateKey),
    ],
    [
      'an oversized subject',
      async () => signed().setSubject('s'.repeat(129)).sign(keys.privateKey),
    ],
    [
      'a hex_identity that is not its own',
      async () =>
        signed({ hex_identity: identityFromClaims(ISSUER, 'somebody-else').toHex() }).sign(
          keys.privateKey,
        ),
    ],
    [
      'a tampered payload',
      async () => {
        const good = await signed().sign(keys.privateKey);
        const [h, , s] = good.split('.');
        return `${h}.${Buffer.from(JSON.stringify({ iss: ISSUER, sub: 'admin', aud: TOKEN_AUDIENCE })).toString('base64url')}.${s}`;
      },
    ],
  ];
  it.each(cases)('%s', async (_name, make) => {
    // Low-S form, so each case is refused for the reason it names, not for its signature's S.
    expect(await codeOf(tokens.verify(lowSToken(await make())))).toBe('TOKEN_INVALID 401');
  });

  it('says why in the message', async () => {
    const hs = await cases.find(([n]) => n.startsWith('HS256'))![1]();
    await expect(tokens.verify(hs)).rejects.toThrow('its algorithm is not ES256');
    const foreign = lowSToken(await cases.find(([n]) => n.startsWith('signed by a foreign'))![1]());
    await expect(tokens.verify(foreign)).rejects.toThrow(
      "its signature does not match this server's key",
    );
    const issuer = lowSToken(await cases.find(([n]) => n.startsWith('a foreign issuer'))![1]());
    await expect(tokens.verify(issuer)).rejects.toThrow('claim "iss" is invalid');
  });

  it('a server on another data directory does not accept our tokens', async () => {
    const other = new TokenService(await loadOrCreateKeys(tempDir()), ISSUER);
    const minted = await tokens.mintIdentity();
    expect(await codeOf(other.verify(minted.token))).toBe('TOKEN_INVALID 401');
  });
});

describe('the verified-token cache', () => {
  it('is bounded, keyed by token, and drops the least recently used first', async () => {
    const service = new TokenService(keys, ISSUER, { cacheLimit: 3 });
    const t = await Promise.all([0, 1, 2, 3].map(async () => (await service.mintIdentity()).token));
    for (const token of t.slice(0, 3)) await service.verify(token);
    expect(t.map(x => service.isCached(x))).toEqual([true, true, true, false]);
    await service.verify(t[0]!); // t[0] is now the most recently used
    await service.verify(t[3]!); // evicts t[1]
    expect(t.map(x => service.isCached(x))).toEqual([true, false, true, true]);
    expect(service.cachedTokenCount).toBe(3);
    expect(TOKEN_CACHE_LIMIT).toBeGreaterThan(100);
  });

  it('does not cache refused tokens', async () => {
    const service = new TokenService(keys, ISSUER);
    await codeOf(service.verify('not-a-jwt'));
    expect(service.isCached('not-a-jwt')).toBe(false);
    expect(service.cachedTokenCount).toBe(0);
  });
});
