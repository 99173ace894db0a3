/**
 * @module
 * Where a request's bearer token is: `Authorization: Bearer <token>`, else the `token` query
 * parameter (browsers cannot set headers on WebSocket upgrades).
 */
import { WasmbaseError } from '../protocol/index.js';

/** The bearer token of a request, if any; TOKEN_INVALID for a malformed Authorization header. */
export function bearerToken(authorization: string, query: URLSearchParams): string | undefined {
  const header = authorization.trim();
  if (header !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null)
      throw new WasmbaseError('TOKEN_INVALID', 'the Authorization header must be "Bearer <token>"');
    return match[1];
  }
  const fromQuery = query.get('token');
  return fromQuery === null || fromQuery === '' ? undefined : fromQuery;
}
