/**
 * @module
 * Hex text and UTF-8 byte lengths without Node's `Buffer`, so the protocol leaf runs in a
 * browser too. Hex is lowercase, two digits per byte, most significant digit first, no `0x`
 * (callers strip prefixes). `utf8ByteLength` counts what `TextEncoder` would produce: a lone
 * surrogate becomes U+FFFD, three bytes, exactly as `Buffer.byteLength` counts it.
 */

/** Two hex digits per byte value, built once: byte → text is a table lookup. */
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  b.toString(16).padStart(2, '0'),
);

/** Lowercase hex of `bytes`, two digits per byte. */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_HEX[bytes[i]!]!;
  return s;
}

/** The value of one hex digit (either case), or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The bytes of an even-length hex text (either case, no prefix); `undefined` if it is not one. */
export function hexToBytes(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(text.charCodeAt(2 * i));
    const lo = hexDigit(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** The number of bytes `text` takes as UTF-8. */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
