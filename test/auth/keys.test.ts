/** The signing key pair: created once with private permissions, reused after a restart. */
import { statSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKeys, TokenService } from '../../runtime/auth/index.js';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('signing keys', () => {
  it('are created under <dataDir>/keys with mode 0600 and reused on the next start', async () => {
    const dataDir = tempDir();
    const first = await loadOrCreateKeys(dataDir);
    const privatePath = path.join(dataDir, 'keys', 'id_ecdsa.pem');
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dataDir, 'keys')).mode & 0o077).toBe(0);
    expect(first.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const minted = await new TokenService(first, 'iss').mintIdentity();

    const second = await loadOrCreateKeys(dataDir);
    expect(second.publicKeyPem).toBe(first.publicKeyPem);
    // A token minted before the "restart" still verifies, to the same identity.
    expect(
      (await new TokenService(second, 'iss').verify(minted.token)).identity.equals(minted.identity),
    ).toBe(true);
  });

  it('re-derive a lost public key file from the private key instead of replacing the pair', async () => {
    const dataDir = tempDir();
    const first = await loadOrCreateKeys(dataDir);
    rmSync(path.join(dataDir, 'keys', 'id_ecdsa.pub.pem'));
    expect((await loadOrCreateKeys(dataDir)).publicKeyPem).toBe(first.publicKeyPem);
    expect(readFileSync(path.join(dataDir, 'keys', 'id_ecdsa.pub.pem'), 'utf8')).toBe(
      first.publicKeyPem,
    );
  });

  it('refuse a corrupt private key with a message naming the file', async () => {
    const dataDir = tempDir();
    await loadOrCreateKeys(dataDir);
    const privatePath = path.join(dataDir, 'keys', 'id_ecdsa.pem');
    writeFileSync(privatePath, 'not a key');
    const err = await loadOrCreateKeys(dataDir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WasmbaseError);
    expect((err as WasmbaseError).message).toContain(privatePath);
  });
});
