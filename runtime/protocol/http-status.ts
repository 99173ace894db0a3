/** @module HTTP status lines (for uWS `writeStatus`) of the statuses errors map to. */
const TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  530: 'Reducer Failed',
};

export function statusLine(status: number): string {
  return `${status} ${TEXT[status] ?? 'Status'}`;
}
