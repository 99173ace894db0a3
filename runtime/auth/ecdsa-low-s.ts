/**
 * ECDSA signature malleability on P-256. For every valid signature (r, s) the pair (r, n − s) is
 * valid too, so a token could be re-encoded without the key and still verify. Tokens carry only
 * the low-S form: signing normalises s to min(s, n − s), and verifying refuses s > n / 2.
 *
 * Signatures here are IEEE P1363 (`r ‖ s`, 32 bytes each), as JWS ES256 requires.
 */

/** The order n of the P-256 group. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const HALF_ORDER = P256_ORDER >> 1n;
const SCALAR_BYTES = 32;

function scalarOf(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
}

function bytesOf(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(SCALAR_BYTES * 2, '0'), 'hex');
}

/** True when `signature` is a 64-byte P1363 signature whose s is in the low half. */
export function isLowS(signature: Uint8Array): boolean {
  if (signature.length !== SCALAR_BYTES * 2) return false;
  return scalarOf(signature.subarray(SCALAR_BYTES)) <= HALF_ORDER;
}

/** `signature` with s replaced by n − s when s is in the high half (same validity). */
export function toLowS(signature: Uint8Array): Buffer {
  const s = scalarOf(signature.subarray(SCALAR_BYTES));
  if (signature.length !== SCALAR_BYTES * 2 || s <= HALF_ORDER) return Buffer.from(signature);
  return Buffer.concat([signature.subarray(0, SCALAR_BYTES), bytesOf(P256_ORDER - s)]);
}

/** The high-S twin of a low-S signature (for tests that prove the twin is refused). */
export function toHighS(signature: Uint8Array): Buffer {
  const s = scalarOf(signature.subarray(SCALAR_BYTES));
  if (s > HALF_ORDER) return Buffer.from(signature);
  return Buffer.concat([signature.subarray(0, SCALAR_BYTES), bytesOf(P256_ORDER - s)]);
}
