/** Log forging: control characters in caller text never reach a log line raw. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  escapeControlChars,
  formatLogLine,
  ModuleLog,
  type ModuleLogEntry,
} from '../../runtime/log/index.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Any C0 control but tab, DEL, C1, U+2028/2029 or a bidi control. */
const RAW_CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const FORGED =
  'ok\n2026-01-01T00:00:00.000000Z ERROR admin: disk wiped\r\u001b[31mred\u009b2J\u2028\u202e';

describe('escapeControlChars', () => {
  it('turns every control character into a visible escape', () => {
    expect(escapeControlChars(FORGED)).toBe(
      'ok\\n2026-01-01T00:00:00.000000Z ERROR admin: disk wiped\\r\\x1b[31mred\\x9b2J\\u2028\\u202e',
    );
    expect(escapeControlChars('\u0000\u007f')).toBe('\\x00\\x7f');
  });

  it('leaves plain text, tabs, backslashes and non-ASCII letters alone', () => {
    const plain = 'Hello,\tWorld! C:\\path\\n ünïcødé 日本 😀';
    expect(escapeControlChars(plain)).toBe(plain);
  });

  it('is idempotent (escaping twice changes nothing more)', () => {
    const once = escapeControlChars(FORGED);
    expect(escapeControlChars(once)).toBe(once);
  });
});

const entry = (message: string, reducer = 'send\nmessage'): ModuleLogEntry => ({
  ts: 1_700_000_000_000_000n,
  level: 'info',
  reducer,
  caller: 'c200\u001b[2J',
  message,
});

describe('module log', () => {
  it('tail, follow, the text form and the file all carry escaped text only', () => {
    const dir = tempDir();
    const file = path.join(dir, 'module.log');
    const log = new ModuleLog(file, 10);
    const followed: ModuleLogEntry[] = [];
    log.follow(e => followed.push(e));
    log.append(entry(FORGED));
    const [tailed] = log.tail(1);
    for (const e of [tailed!, followed[0]!]) {
      expect(e.message).toBe(escapeControlChars(FORGED));
      expect(e.reducer).toBe('send\\nmessage');
      expect(e.caller).toBe('c200\\x1b[2J');
      const line = formatLogLine(e);
      expect(line).not.toMatch(RAW_CONTROL);
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toContain(' INFO send\\nmessage: ok\\n2026-01-01T00:00:00.000000Z ERROR');
    }
    log.close();
    const stored = readFileSync(file, 'utf8').trimEnd();
    expect(stored.split('\n')).toHaveLength(1);
    const parsed = JSON.parse(stored) as { message: string; caller: string };
    expect(parsed.message).not.toMatch(RAW_CONTROL);
    expect(parsed.caller).toBe('c200\\x1b[2J');
  });

  it('escapes raw controls in a file written before escaping existed, on reload', () => {
    const dir = tempDir();
    const file = path.join(dir, 'module.log');
    const legacy = { ts: '1', level: 'warn', reducer: 'r', message: 'a\nb\u001b[0m' };
    writeText(file, JSON.stringify(legacy) + '\n');
    const log = new ModuleLog(file, 10);
    expect(log.tail(1)[0]!.message).toBe('a\\nb\\x1b[0m');
    log.close();
  });

  it('formatLogLine escapes an entry that never went through a ModuleLog', () => {
    const line = formatLogLine(entry('x\ny'));
    expect(line.endsWith('send\\nmessage: x\\ny')).toBe(true);
  });
});

describe('server logger', () => {
  for (const format of ['json', 'pretty'] as const) {
    it(`escapes the message and every string field (${format})`, () => {
      const lines: string[] = [];
      const logger = createLogger({ level: 'debug', format, sink: l => lines.push(l) });
      logger.child({ db: 'a\u001b[2Jb' }).error(FORGED, { name: 'x\ny', nested: { v: '\u009b' } });
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      expect(line).not.toMatch(RAW_CONTROL);
      if (format === 'json') {
        const record = JSON.parse(line) as Record<string, unknown>;
        expect(record['msg']).toBe(escapeControlChars(FORGED));
        expect(record['db']).toBe('a\\x1b[2Jb');
        expect(record['name']).toBe('x\\ny');
        expect(record['nested']).toEqual({ v: '\\x9b' });
      } else {
        expect(line).toContain(' ERROR ok\\n2026-01-01');
      }
    });
  }
});

function writeText(file: string, text: string): void {
  writeFileSync(file, text);
}
