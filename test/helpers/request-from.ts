/**
 * An HTTP request sent from a chosen local address (`127.0.0.2`, …) to a test server on
 * 127.0.0.1: how the tests show that a per-address limit leaves other addresses alone. Linux
 * routes all of 127.0.0.0/8 to the loopback interface, so no setup is needed.
 */
import { request } from 'node:http';

export interface FromResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

export function requestFrom(
  localAddress: string,
  url: string,
  method: string,
  options: { token?: string; body?: string | Uint8Array; contentType?: string } = {},
): Promise<FromResponse> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, localAddress }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          // Plain text.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
