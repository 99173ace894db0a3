/** A caller's text cannot forge lines in the owner's log, over tail or follow. */
import { describe, expect, it } from 'vitest';
import { moduleBytes } from '../helpers/modules.js';
import { client, testServer } from '../helpers/server.js';

const server = await testServer();
const api = client(server);
const owner = await api.newIdentity();
const caller = await api.newIdentity();
await api.json('POST', '/v1/database/chatlog', { token: owner.token, body: moduleBytes('chat') });

const FORGED = 'hi\n2026-01-01T00:00:00.000000Z ERROR send_message: \u001b[31mhacked\u001b[0m';
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const send = (text: string) =>
  api.json('POST', '/v1/database/chatlog/call/send_message', {
    token: caller.token,
    body: JSON.stringify([text]),
    contentType: 'application/json',
  });

describe('log forging', () => {
  it('tail shows the forged text on its own line, escaped', async () => {
    expect((await send(FORGED)).status).toBe(200);
    const res = await api.request('GET', '/v1/database/chatlog/logs?num_lines=10', {
      token: owner.token,
    });
    const body = await res.text();
    expect(body).not.toMatch(RAW_CONTROL);
    const lines = body.trimEnd().split('\n');
    expect(lines.filter(l => l.includes('ERROR'))).toHaveLength(1);
    expect(lines.filter(l => / ERROR /.test(l.slice(0, 40)))).toHaveLength(0);
    expect(body).toContain('hi\\n2026-01-01T00:00:00.000000Z ERROR send_message: \\x1b[31mhacked');
  });

  it('follow delivers new lines escaped too', async () => {
    const res = await api.request('GET', '/v1/database/chatlog/logs?num_lines=0&follow=true', {
      token: owner.token,
    });
    const reader = res.body!.getReader();
    expect((await send('follow\r\nERROR\u009b2J')).status).toBe(200);
    let received = '';
    for (let i = 0; i < 20 && !received.includes('2J'); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(received).toContain('follow\\r\\nERROR\\x9b2J');
    expect(received).not.toMatch(RAW_CONTROL);
  });
});
