/**
 * @module
 * The SATS-JSON meta form of algebraic types (`{"U32": []}`, `{"Product": {"elements": [...]}}`)
 * and of the small sum/option shapes RawModuleDef uses (`{"some": x}`, `{"none": []}`).
 * Parsing collects problems with JSON paths instead of stopping at the first one.
 */
import type { AlgebraicType, PrimitiveTag, ProductElement, ProductType } from './sats.js';

const PRIMITIVES: ReadonlySet<string> = new Set<PrimitiveTag>([
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
]);

/** Deepest type nesting accepted from JSON. */
export const MAX_JSON_TYPE_DEPTH = 32;

/** Problems found while parsing, each prefixed with its JSON path. */
export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    if (this.list.length < 100) this.list.push(`${path}: ${message}`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The single key of a `{"Tag": payload}` object, or undefined. */
export function singleKey(v: unknown): [string, unknown] | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  return [keys[0]!, v[keys[0]!]];
}

/** Parses `{"some": x}` / `{"none": []}`; `inner` parses x. */
export function optionFromJson<T>(
  json: unknown,
  path: string,
  problems: Problems,
  inner: (v: unknown, path: string) => T | undefined,
): T | undefined {
  const entry = singleKey(json);
  if (entry?.[0] === 'none') return undefined;
  if (entry?.[0] === 'some') return inner(entry[1], `${path}.some`);
  problems.add(path, 'expected {"some": value} or {"none": []}');
  return undefined;
}

export function optionToJson<T>(value: T | undefined, inner: (v: T) => unknown = v => v): unknown {
  return value === undefined ? { none: [] } : { some: inner(value) };
}

export function typeFromJson(
  json: unknown,
  path: string,
  problems: Problems,
  depth = 0,
): AlgebraicType | undefined {
  if (depth > MAX_JSON_TYPE_DEPTH) {
    problems.add(path, `type nesting deeper than ${MAX_JSON_TYPE_DEPTH}`);
    return undefined;
  }
  const entry = singleKey(json);
  if (entry === undefined) {
    problems.add(path, 'expected an algebraic type like {"U32": []}');
    return undefined;
  }
  const [tag, payload] = entry;
  if (PRIMITIVES.has(tag)) return { tag: tag as PrimitiveTag };
  switch (tag) {
    case 'Ref':
      if (typeof payload === 'number' && Number.isInteger(payload) && payload >= 0)
        return { tag: 'Ref', ref: payload };
      problems.add(`${path}.Ref`, 'expected a non-negative integer');
      return undefined;
    case 'Array': {
      const elem = typeFromJson(payload, `${path}.Array`, problems, depth + 1);
      return elem === undefined ? undefined : { tag: 'Array', elem };
    }
    case 'Product': {
      const product = productTypeFromJson(payload, `${path}.Product`, problems, depth + 1);
      return product === undefined ? undefined : { tag: 'Product', elements: product.elements };
    }
    case 'Sum': {
      if (!isObject(payload) || !Array.isArray(payload['variants'])) {
        problems.add(`${path}.Sum`, 'expected {"variants": [...]}');
        return undefined;
      }
      const variants = elementsFromJson(
        payload['variants'],
        `${path}.Sum.variants`,
        problems,
        depth + 1,
      );
      return variants === undefined ? undefined : { tag: 'Sum', variants };
    }
    default:
      problems.add(path, `unknown type "${tag}"`);
      return undefined;
  }
}

export function productTypeFromJson(
  json: unknown,
  path: string,
  problems: Problems,
  depth = 0,
): ProductType | undefined {
  if (!isObject(json) || !Array.isArray(json['elements'])) {
    problems.add(path, 'expected {"elements": [...]}');
    return undefined;
  }
  const elements = elementsFromJson(json['elements'], `${path}.elements`, problems, depth);
  return elements === undefined ? undefined : { elements };
}

function elementsFromJson(
  list: readonly unknown[],
  path: string,
  problems: Problems,
  depth: number,
): ProductElement[] | undefined {
  const out: ProductElement[] = [];
  let ok = true;
  list.forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(item)) {
      problems.add(at, 'expected {"name": ..., "algebraic_type": ...}');
      ok = false;
      return;
    }
    const name = optionFromJson(item['name'], `${at}.name`, problems, (v, p) => {
      if (typeof v === 'string') return v;
      problems.add(p, 'expected a string');
      return undefined;
    });
    const type = typeFromJson(item['algebraic_type'], `${at}.algebraic_type`, problems, depth + 1);
    if (type === undefined) ok = false;
    else out.push({ name, type });
  });
  return ok ? out : undefined;
}

export function typeToJson(type: AlgebraicType): unknown {
  switch (type.tag) {
    case 'Ref':
      return { Ref: type.ref };
    case 'Array':
      return { Array: typeToJson(type.elem) };
    case 'Product':
      return { Product: productTypeToJson(type) };
    case 'Sum':
      return { Sum: { variants: type.variants.map(elementToJson) } };
    default:
      return { [type.tag]: [] };
  }
}

export function productTypeToJson(type: { readonly elements: readonly ProductElement[] }): unknown {
  return { elements: type.elements.map(elementToJson) };
}

function elementToJson(el: ProductElement): unknown {
  return { name: optionToJson(el.name), algebraic_type: typeToJson(el.type) };
}
