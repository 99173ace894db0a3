/**
 * @module
 * Opening a raw test WebSocket to `/v1/database/<db>/subscribe`, shared by the v1 and the v2/v3
 * test clients (`ws-client.ts`, `ws-v2-client.ts`): one subprotocol offered, the token (if any)
 * sent as `Authorization: Bearer`. It resolves once the socket is open, with what `wrap` made of
 * it; `wrap` runs inside the `open` event, so the wrapper's listeners are in place before any
 * message can arrive. A refused upgrade rejects with an error carrying the HTTP `status`,
 * `headers` and `body`; a socket error rejects with that error.
 */
import WebSocket from 'ws';

export interface OpenOptions {
  /** Sent as `Authorization: Bearer`. */
  readonly token?: string | undefined;
  /** The URL query (default `compression=None`). */
  readonly query?: string | undefined;
  /** The local address to connect from (another loopback address stands for another client). */
  readonly localAddress?: string | undefined;
}

/** Opens a socket offering `protocol` and resolves with `wrap(socket)` once it is open. */
export function openSocket<T>(
  baseUrl: string,
  database: string,
  protocol: string,
  options: OpenOptions,
  wrap: (socket: WebSocket) => T,
): Promise<T> {
  const query = options.query ?? 'compression=None';
  const url = `${baseUrl.replace(/^http/, 'ws')}/v1/database/${database}/subscribe?${query}`;
  const headers = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
  const local = options.localAddress === undefined ? {} : { localAddress: options.localAddress };
  const socket = new WebSocket(url, [protocol], { headers, ...local });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(wrap(socket)));
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        reject(
          Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), {
            status: res.statusCode,
            headers: res.headers,
            body,
          }),
        ),
      );
    });
    socket.once('error', reject);
  });
}
