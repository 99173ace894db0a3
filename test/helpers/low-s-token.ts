/** Test tokens signed by jose carry a random S; the server accepts only the low-S form. */
import { toHighS, toLowS } from '../../runtime/auth/index.js';

function withSignature(token: string, change: (sig: Buffer) => Buffer): string {
  const parts = token.split('.');
  if (parts.length !== 3) return token;
  const [header, payload, signature] = parts as [string, string, string];
  return `${header}.${payload}.${change(Buffer.from(signature, 'base64url')).toString('base64url')}`;
}

/** `token` with its ES256 signature in low-S form (the same signature, canonical). */
export const lowSToken = (token: string): string => withSignature(token, toLowS);

/** `token` with its ES256 signature's high-S twin (valid ECDSA, refused by the server). */
export const highSToken = (token: string): string => withSignature(token, toHighS);
