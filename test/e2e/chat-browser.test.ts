/**
 * @module
 * The chat demo end to end: `wasmbase start --example chat` (the real binary: it bundles the
 * page with esbuild, publishes modules/chat and serves the page at `/`), and two headless
 * Chromium pages, each in its own browser context (its own localStorage, so its own identity).
 * Each sets a name; a message sent in one appears in the other, and back; a name the module
 * refuses shows the module's message. A screenshot of the second page is saved in
 * `test/artifacts/chat-browser.png`.
 *
 * Chromium is Debian's (`/usr/bin/chromium`, or `CHROMIUM_PATH`), driven by puppeteer-core
 * (which downloads no browser). Without it the test fails under CI (`CI=1`; `.ci/run` installs
 * it) and is skipped, with a warning, elsewhere.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { cliSpawn, type CliChild } from '../helpers/cli-run.js';
import { ROOT } from '../helpers/modules.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The page's DOM, as the functions below that run in the browser use it (no DOM lib here). */
interface PageElement {
  readonly textContent: string | null;
  querySelector(selector: string): PageElement | null;
}
declare const document: {
  querySelectorAll(selector: string): Iterable<PageElement> & { readonly length: number };
  getElementById(id: string): PageElement | null;
};

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI =
  process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== '0';
const ARTIFACTS = path.join(ROOT, 'test/artifacts');
const WAIT_MS = 15_000;

if (!HAVE_CHROMIUM && !IN_CI)
  console.warn(`[chat-browser] skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** Opens the page in a fresh browser context and waits until it is connected and subscribed. */
async function openChat(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.on('pageerror', err => errors.push(String(err)));
  page.on('console', msg => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-state="ready"]', { timeout: WAIT_MS });
  return page;
}

async function submit(page: Page, form: 'name' | 'message', text: string): Promise<void> {
  await page.type(`#${form}-input`, text);
  await page.click(`#${form}-form button`);
}

/** Waits until the page shows a message line `<sender>: <text>`. */
async function messageShown(page: Page, sender: string, text: string): Promise<void> {
  await page.waitForFunction(
    (s: string, t: string) =>
      [...document.querySelectorAll('#messages li')].some(
        li =>
          li.querySelector('.sender')?.textContent === `${s}:` &&
          li.querySelector('.text')?.textContent === t,
      ),
    { timeout: WAIT_MS },
    sender,
    text,
  );
}

const texts = (page: Page, selector: string) =>
  page.$$eval(selector, els => els.map(e => e.textContent ?? ''));

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)('the chat demo in two browsers', () => {
  let server: CliChild | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    await server?.exited;
  });

  it('a message sent in one page appears in the other', async () => {
    if (!HAVE_CHROMIUM)
      throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium)`);
    const home = tempDir();
    server = cliSpawn(home, '', ['start', '--listen', '127.0.0.1:0', '--example', 'chat'], {
      env: { WASMBASE_DATA_DIR: tempDir(), WASMBASE_SERVER: '' },
    });
    const url = (await server.until('stdout', /listening on (http:\/\/\S+)/, 1200))[1]!;
    await server.until('stdout', /Stop with Ctrl-C/, 1200);
    expect(server.stdout()).toContain(`open ${url}/ in two browser windows`);
    expect(server.stderr()).toContain('bundled the chat page');

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const errors: string[] = [];
    const ada = await openChat(browser, `${url}/`, errors);
    const bob = await openChat(browser, `${url}/`, errors);

    await submit(ada, 'name', 'Ada');
    await submit(bob, 'name', 'Bob');
    await ada.waitForFunction(
      () => document.getElementById('status')?.textContent === 'connected as Ada',
      { timeout: WAIT_MS },
    );
    await submit(ada, 'message', 'hello from Ada');
    await messageShown(bob, 'Ada', 'hello from Ada');
    await messageShown(ada, 'Ada', 'hello from Ada');
    await submit(bob, 'message', 'hi Ada, Bob here');
    await messageShown(ada, 'Bob', 'hi Ada, Bob here');
    expect(await texts(bob, '#messages .text')).toEqual(['hello from Ada', 'hi Ada, Bob here']);
    await bob.waitForFunction(() => document.querySelectorAll('#users li').length === 2, {
      timeout: WAIT_MS,
    });
    expect((await texts(bob, '#users li')).sort()).toEqual(['Ada', 'Bob']);

    // A name the module refuses: its message, and no change.
    await submit(bob, 'name', '   ');
    await bob.waitForFunction(
      () => document.getElementById('status')?.textContent === 'Names must not be empty',
      { timeout: WAIT_MS },
    );
    expect((await texts(ada, '#users li')).sort()).toEqual(['Ada', 'Bob']);

    mkdirSync(ARTIFACTS, { recursive: true });
    await bob.screenshot({ path: path.join(ARTIFACTS, 'chat-browser.png') });
    expect(errors).toEqual([]);
  }, 120_000);
});
