/**
 * @module
 * SATS, the type system of SpacetimeDB that wasmbase speaks: algebraic types (sums, products,
 * arrays, primitives) and the in-memory shape of their values.
 *
 * Value representation in TypeScript (one mapping, used everywhere on the host):
 * | type                         | value                                   |
 * | ---------------------------- | --------------------------------------- |
 * | Bool                         | boolean                                 |
 * | I8..I32, U8..U32, F32, F64   | number                                  |
 * | I64..I256, U64..U256         | bigint                                  |
 * | String                       | string                                  |
 * | Array<U8>                    | Uint8Array                              |
 * | Array<T> (other)             | readonly AlgebraicValue[]               |
 * | Product                      | readonly AlgebraicValue[] (positional)  |
 * | Sum                          | SumValue `{ tag, value }`               |
 *
 * Special product/sum shapes (Identity, ConnectionId, Timestamp, TimeDuration, Option) keep this
 * generic representation; helpers in this folder recognise them by their magic field names.
 */

export type PrimitiveTag =
  | 'String'
  | 'Bool'
  | 'I8'
  | 'U8'
  | 'I16'
  | 'U16'
  | 'I32'
  | 'U32'
  | 'I64'
  | 'U64'
  | 'I128'
  | 'U128'
  | 'I256'
  | 'U256'
  | 'F32'
  | 'F64';

/** An algebraic type. `tag` order (for the BSATN meta-encoding) is `ALGEBRAIC_TYPE_TAGS`. */
export type AlgebraicType =
  | { readonly tag: 'Ref'; readonly ref: number }
  | { readonly tag: 'Sum'; readonly variants: readonly SumVariant[] }
  | { readonly tag: 'Product'; readonly elements: readonly ProductElement[] }
  | { readonly tag: 'Array'; readonly elem: AlgebraicType }
  | { readonly tag: PrimitiveTag };

export interface ProductElement {
  /** Field name; undefined for positional (unnamed) elements. */
  readonly name: string | undefined;
  readonly type: AlgebraicType;
}

export interface SumVariant {
  readonly name: string | undefined;
  readonly type: AlgebraicType;
}

/** A product type on its own (a row type, a reducer's parameter list). */
export interface ProductType {
  readonly elements: readonly ProductElement[];
}

/** The meta-tag of each algebraic type variant, in SATS declaration order (Ref = 0 … F64 = 19).*/
export const ALGEBRAIC_TYPE_TAGS = [
  'Ref',
  'Sum',
  'Product',
  'Array',
  'String',
  'Bool',
  'I8',
  'U8',
  'I16',
  'U16',
  'I32',
  'U32',
  'I64',
  'U64',
  'I128',
  'U128',
  'I256',
  'U256',
  'F32',
  'F64',
] as const;

export interface SumValue {
  readonly tag: number;
  readonly value: AlgebraicValue;
}

export type AlgebraicValue =
  boolean | number | bigint | string | Uint8Array | SumValue | readonly AlgebraicValue[];
