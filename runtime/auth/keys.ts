/**
 * @module
 * The server's ES256 signing key pair, created on first start under `<dataDir>/keys/` (the
 * directory 0700, the private key 0600) and reused afterwards. The public key is derived from the
 * private key, so a lost or edited public key file cannot split the pair.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WasmbaseError } from '../protocol/index.js';

export interface SigningKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as SPKI PEM (served by `GET /v1/identity/public-key`). */
  readonly publicKeyPem: string;
}

/** File names under `<dataDir>/keys/`. */
export const PRIVATE_KEY_FILE = 'id_ecdsa.pem';
export const PUBLIC_KEY_FILE = 'id_ecdsa.pub.pem';

/** Loads the key pair of `dataDir`, creating it on first use. */
export async function loadOrCreateKeys(dataDir: string): Promise<SigningKeys> {
  const dir = path.join(dataDir, 'keys');
  const privatePath = path.join(dir, PRIVATE_KEY_FILE);
  const publicPath = path.join(dir, PUBLIC_KEY_FILE);
  if (!existsSync(privatePath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    try {
      // 'wx': two processes starting on the same directory keep the first key.
      writeFileSync(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const privatePem = readFileSync(privatePath, 'utf8');
  let publicKeyPem: string;
  try {
    const curve = createPrivateKey(privatePem).asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1')
      throw new Error(`the key is not a P-256 key (${curve ?? 'not EC'})`);
    publicKeyPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
  } catch (err) {
    throw new WasmbaseError(
      'UNAVAILABLE',
      `the signing key ${privatePath} is not a usable ES256 (P-256) private key: ` +
        `${err instanceof Error ? err.message : String(err)}; ` +
        'move it away to create a new one (tokens signed with it stop working)',
    );
  }
  chmodSync(privatePath, 0o600);
  if (!existsSync(publicPath) || readFileSync(publicPath, 'utf8') !== publicKeyPem)
    writeFileSync(publicPath, publicKeyPem, { mode: 0o644 });
  return {
    privateKey: createPrivateKey(privatePem),
    publicKey: createPublicKey(publicKeyPem),
    publicKeyPem,
  };
}
