// What the browser downloads to run the pages: the wasm (main file and a lazy page's chunks), the
// JavaScript and the CSS come gzipped; the HTML never does (a page can show a secret once next to
// text the user sent, and compression would leak it through the length).
import { readFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, test } from './fixtures';
import { startKeyhaven, type Keyhaven } from './server';

let kh: Keyhaven;
test.beforeAll(async () => {
  kh = await startKeyhaven();
});
test.afterAll(async () => {
  await kh?.stop();
});

test('the browser gets its wasm, JavaScript and CSS gzipped, and the HTML as it is', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'without JavaScript the browser downloads no wasm');
  const encodings = new Map<string, string>();
  const missing: string[] = [];
  page.on('response', async (response) => {
    const path = new URL(response.url()).pathname;
    if (response.status() >= 400) missing.push(`${response.status()} ${path}`);
    encodings.set(path, (await response.allHeaders())['content-encoding'] ?? 'none');
  });
  await page.goto(`${kh.url}/setup`);
  await expect(page.getByRole('heading', { name: 'Admin account' })).toBeVisible();
  // /setup is a lazy page: its chunks load before it hydrates.
  const wasm = [...encodings.keys()].filter((path) => path.endsWith('.wasm'));
  expect(wasm).toContain('/pkg/keyhaven.wasm');
  expect(wasm.some((path) => path.startsWith('/pkg/split_'))).toBe(true);
  for (const path of [...wasm, '/pkg/keyhaven.js', '/pkg/keyhaven.css']) {
    expect(encodings.get(path), path).toBe('gzip');
  }
  expect(encodings.get('/setup')).toBe('none');
  // Nothing the page asks for is missing (the icon included: the page names /favicon.svg).
  await expect.poll(() => encodings.has('/favicon.svg')).toBe(true);
  expect(missing).toEqual([]);

  // The gzipped answer is the file itself, and much smaller.
  const raw = readFileSync(join(resolve(__dirname, '..', '..'), 'target', 'site', 'pkg', 'keyhaven.wasm'));
  // node:http, not fetch: fetch would decompress before we see the bytes on the wire.
  const wire = await new Promise<Buffer>((ok, fail) => {
    get(`${kh.url}/pkg/keyhaven.wasm`, { headers: { 'Accept-Encoding': 'gzip' } }, (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => ok(Buffer.concat(parts)));
    }).on('error', fail);
  });
  expect(Buffer.compare(gunzipSync(wire), raw)).toBe(0);
  expect(wire.length).toBeLessThan(raw.length / 2);
});
