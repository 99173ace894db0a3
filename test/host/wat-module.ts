/**
 * @module
 * Hand-written test modules: WAT text compiled with wabt, plus the `wasmbase_v1.schema` custom
 * section the host reads at publish. For tests that need exact control over host calls.
 */
import wabtInit from 'wabt';

const wabt = await wabtInit();

/** Unsigned LEB128, as the wasm binary format writes section and name lengths. */
function leb128(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  do {
    let b = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) b |= 0x80;
    out.push(b);
  } while (rest !== 0);
  return out;
}

/** Builds a module from WAT, with an optional schema custom section (JSON value or raw text). */
export function wat(text: string, schema?: unknown): Uint8Array {
  const binary = wabt.parseWat('fixture.wat', text).toBinary({}).buffer;
  if (schema === undefined) return binary;
  const name = new TextEncoder().encode('wasmbase_v1.schema');
  const payload = new TextEncoder().encode(
    typeof schema === 'string' ? schema : JSON.stringify(schema),
  );
  const content = [...leb128(name.length), ...name, ...payload];
  return Uint8Array.of(...binary, 0, ...leb128(content.length), ...content);
}
