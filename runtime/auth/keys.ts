/**
 * @module
 * The server's ES256 signing key pair, created on first start under `<dataDir>/keys/` (the
 * private key readable by the owner only) and reused afterwards.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, type CryptoKey } from 'jose';

export interface SigningKeys {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicKeyPem: string;
}

export async function loadOrCreateKeys(dataDir: string): Promise<SigningKeys> {
  const dir = path.join(dataDir, 'keys');
  const privatePath = path.join(dir, 'id_ecdsa.pem');
  const publicPath = path.join(dir, 'id_ecdsa.pub.pem');
  if (!existsSync(privatePath) || !existsSync(publicPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = await generateKeyPair('ES256', { extractable: true });
    writeFileSync(privatePath, await exportPKCS8(pair.privateKey), { mode: 0o600 });
    writeFileSync(publicPath, await exportSPKI(pair.publicKey), { mode: 0o644 });
  }
  const publicKeyPem = readFileSync(publicPath, 'utf8');
  return {
    privateKey: await importPKCS8(readFileSync(privatePath, 'utf8'), 'ES256'),
    publicKey: await importSPKI(publicKeyPem, 'ES256'),
    publicKeyPem,
  };
}
