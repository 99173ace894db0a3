/**
 * `--web-dir`: the directory is read once at start into fixed routes. `/` is index.html, each
 * plain file with a known extension is served with its content type, and nothing else is:
 * no subdirectories, symbolic links, dotfiles or unknown extensions, no path tricks; a bad
 * directory stops the start with INVALID_ARGUMENT naming --web-dir.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStaticFiles, STATIC_LIMITS } from '../../runtime/http/static-files.js';
import { WasmbaseError } from '../../runtime/protocol/index.js';
import { testServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-dir.js';

const web = tempDir();
writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>hi</title>');
writeFileSync(path.join(web, 'main.js'), 'console.log(1);');
writeFileSync(path.join(web, 'style.css'), 'body{}');
writeFileSync(path.join(web, '.env'), 'SECRET=1');
writeFileSync(path.join(web, 'notes.md'), '# private');
mkdirSync(path.join(web, 'sub'));
writeFileSync(path.join(web, 'sub', 'inner.js'), 'nope');
const outside = tempDir();
writeFileSync(path.join(outside, 'secret.txt'), 'outside');
symlinkSync(path.join(outside, 'secret.txt'), path.join(web, 'link.txt'));

const server = await testServer({ webDir: web });
const get = (p: string) => fetch(server.url + p);

function refusal(run: () => unknown): WasmbaseError {
  try {
    run();
  } catch (err) {
    if (err instanceof WasmbaseError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('static web files (--web-dir)', () => {
  it('serves index.html at / and each file at its name, with its content type', async () => {
    for (const [p, type, body] of [
      ['/', 'text/html; charset=utf-8', '<!doctype html><title>hi</title>'],
      ['/index.html', 'text/html; charset=utf-8', '<!doctype html><title>hi</title>'],
      ['/main.js', 'text/javascript; charset=utf-8', 'console.log(1);'],
      ['/style.css', 'text/css; charset=utf-8', 'body{}'],
    ] as const) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe(body);
    }
  });

  it('serves nothing else: dotfiles, other extensions, subfolders, links, path tricks', async () => {
    for (const p of [
      '/.env',
      '/notes.md',
      '/sub/inner.js',
      '/link.txt',
      '/../package.json',
      '/%2e%2e/package.json',
      '//main.js',
      '/MAIN.JS',
    ]) {
      const res = await get(p);
      expect(res.status, p).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'ROUTE_NOT_FOUND',
      );
    }
    // A trailing slash is not the file (the API's usual answer for a known path's variant).
    const slash = await get('/main.js/');
    expect(slash.status).toBeGreaterThanOrEqual(400);
    expect(await slash.text()).not.toContain('console.log');
    const post = await fetch(server.url + '/', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('leaves the API alone', async () => {
    expect((await get('/v1/ping')).status).toBe(200);
  });

  it('refuses a directory that is missing, has no index.html, or holds too many files', () => {
    const missing = refusal(() => loadStaticFiles(path.join(web, 'nope')));
    expect(missing.code).toBe('INVALID_ARGUMENT');
    expect(missing.message).toContain('invalid --web-dir');
    const empty = tempDir();
    writeFileSync(path.join(empty, 'main.js'), '');
    expect(refusal(() => loadStaticFiles(empty)).message).toContain('it has no index.html');
    const many = tempDir();
    for (let i = 0; i <= STATIC_LIMITS.MAX_FILES; i++)
      writeFileSync(path.join(many, `f${i}.js`), '');
    expect(refusal(() => loadStaticFiles(many)).message).toContain(
      `more than ${STATIC_LIMITS.MAX_FILES} files`,
    );
  });

  it('a bad --web-dir stops the server at start', async () => {
    await expect(testServer({ webDir: path.join(web, 'nope') })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
