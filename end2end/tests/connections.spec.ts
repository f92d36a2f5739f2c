// Known hosts and Connections against a real sshd, with JavaScript on and off: scan a host and
// check the fingerprint ssh-keygen prints, trust it, add a connection, deploy the system key with
// a one-time password, test it and see its storage; then a reinstalled host (new host key) is
// refused with both fingerprints shown, and replacing the trusted key brings it back.
import AxeBuilder from '@axe-core/playwright';
import { rmSync, statSync } from 'node:fs';
import { expect, test, type Page } from './fixtures';
import { createServer } from 'node:net';
import { freePort, startKeyhaven, type Keyhaven } from './server';
import { startSshd, type Sshd } from './sshd';

test.describe.configure({ mode: 'serial' });

let kh: Keyhaven;
let sshd: Sshd;
let token: string;

async function api(path: string, token: string | null, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${kh.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

test.beforeAll(async () => {
  kh = await startKeyhaven();
  sshd = await startSshd(await freePort());
  expect((await api('/api/setup', null, { username: 'admin', password: 'admin password 1' })).status).toBe(201);
  const login = await api('/api/auth/login', null, { username: 'admin', password: 'admin password 1' });
  token = (await login.json()).access_token as string;
  expect((await api('/api/ssh-keys/generate', token, { name: 'System SSH Key' })).status).toBe(200);
});
test.afterAll(async () => {
  await sshd?.stop();
  await kh?.stop();
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Settings' });

/** Follows a settings link and waits for its page: a lazy page's code may still be loading. */
async function open(page: Page, name: string) {
  await nav(page).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

async function signIn(page: Page) {
  await page.goto(`${kh.url}/login`);
  await page.getByLabel('Username', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('admin password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(nav(page).getByRole('link', { name: 'Connections' })).toBeVisible();
}

async function scan(page: Page) {
  await open(page, 'Known hosts');
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(sshd.port));
  await page.getByRole('button', { name: 'Scan', exact: true }).click();
}

const card = (page: Page) => page.getByRole('article', { name: `${sshd.user}@127.0.0.1:${sshd.port}` });

test('scan and trust a host, add a connection, deploy, test and measure it', async ({ page, javaScriptEnabled }, info) => {
  const toasts = page.getByRole('region', { name: 'Notifications' });
  await signIn(page);
  await scan(page);
  const offered = page.getByRole('article', { name: 'ssh-ed25519 host key' });
  await expect(offered).toContainText(sshd.fingerprint());
  await offered.getByRole('button', { name: 'Trust ssh-ed25519 key' }).click();
  await expect(page.getByRole('row', { name: new RegExp(`127\\.0\\.0\\.1\\]:${sshd.port}`) })).toContainText(
    sshd.fingerprint(),
  );

  await open(page, 'Connections');
  await expect(page.getByText('No connections yet')).toBeVisible();
  const add = page.locator('section', { hasText: 'Add a connection' });
  await add.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await add.getByLabel('Port', { exact: true }).fill(String(sshd.port));
  await add.getByLabel('User', { exact: true }).fill(sshd.user);
  await add.getByRole('button', { name: 'Add connection' }).click();
  await expect(card(page)).toContainText('unknown');

  await card(page).getByText('Redeploy', { exact: true }).click();
  await card(page).getByLabel(/^Password for/).fill(sshd.password);
  await card(page).getByRole('button', { name: 'Deploy the system key' }).click();
  await expect(card(page).locator('.badge')).toHaveText('connected');
  await card(page).getByRole('button', { name: 'Test', exact: true }).click();
  await expect(card(page).locator('.badge')).toHaveText('connected');
  // With JavaScript the result also appears as a toast where the eye is; without, inline only.
  if (javaScriptEnabled) await expect(toasts).toContainText('Connection tested successfully');
  else await expect(toasts).toBeEmpty();
  await card(page).getByRole('button', { name: 'Refresh storage' }).click();
  await expect(card(page)).toContainText(/used of .* free/);
  await expect(page.getByText(sshd.password)).toHaveCount(0);
  // Edit opens the form in this card only; saving re-tests and closes it.
  await expect(page.getByRole('button', { name: 'Save and test' })).toHaveCount(0);
  await card(page).getByRole('link', { name: 'Edit' }).click();
  await card(page).getByLabel('Backup path').fill('/tmp');
  await card(page).getByRole('button', { name: 'Save and test' }).click();
  await expect(card(page).getByRole('button', { name: 'Save and test' })).toHaveCount(0);
  await expect(card(page).locator('dd', { hasText: '/tmp' })).toBeVisible();
  await expect(card(page).locator('.badge')).toHaveText('connected');
  await open(page, 'Dashboard');
  const health = page.locator('section', { hasText: 'Open connections' });
  await expect(health).toContainText('1 connected');
  await expect(health).toContainText(/used of .* free/);
  await open(page, 'Connections');
  await page.screenshot({ path: `.artifacts/screens/connections-${info.project.name}.png`, fullPage: true });
  await open(page, 'Known hosts');
  await page.screenshot({ path: `.artifacts/screens/known-hosts-${info.project.name}.png`, fullPage: true });
});

test('a reinstalled host is refused with both fingerprints until its new key is trusted', async ({ page }) => {
  const old = sshd.fingerprint();
  await sshd.newHostKey();
  const fresh = sshd.fingerprint();
  await signIn(page);
  await open(page, 'Connections');
  await card(page).getByRole('button', { name: 'Test', exact: true }).click();
  await expect(card(page).locator('.badge')).toHaveText('failed');
  await expect(card(page)).toContainText(`host key CHANGED: trusted ${old}, but the host offered ${fresh}`);

  await scan(page);
  await expect(page.getByRole('alert')).toContainText(old);
  const offered = page.getByRole('article', { name: 'ssh-ed25519 host key' });
  await expect(offered).toContainText(fresh);
  await offered.getByRole('button', { name: 'Replace trusted keys with this ssh-ed25519 key' }).click();
  await expect(page.getByText('Status: trusted')).toBeVisible();

  await open(page, 'Connections');
  await card(page).getByRole('button', { name: 'Test', exact: true }).click();
  await expect(card(page).locator('.badge')).toHaveText('connected');
});

test('browse the host over SFTP, make folders and pick the backup path', async ({ page, javaScriptEnabled }, info) => {
  const folder = `kh-browse-${info.project.name}-${Date.now()}`;
  try {
    await signIn(page);
    await open(page, 'Connections');
    const id = (await card(page).getAttribute('id'))?.replace('connection-', '');
    await card(page).getByRole('link', { name: 'Browse' }).click();
    const panel = page.getByRole('region', { name: `Browse ${sshd.user}@127.0.0.1:${sshd.port}` });
    const crumbs = panel.getByRole('navigation', { name: 'Folder path' });
    // The backup path (/tmp, saved by the first test) is where browsing starts.
    await expect(crumbs.locator('[aria-current="page"]')).toHaveText('tmp');
    await expect(panel).toContainText("This folder is the connection's backup path.");

    await panel.getByLabel('New folder in /tmp').fill(folder);
    await panel.getByRole('button', { name: 'Create folder' }).click();
    await expect(crumbs.locator('[aria-current="page"]')).toHaveText(folder);
    await expect(panel.getByRole('row')).toHaveCount(2); // the header and the parent folder
    // axe-core runs as a script in the page: with JavaScript on only (the HTML is the same).
    if (javaScriptEnabled) {
      const violations = (await new AxeBuilder({ page }).include('#browse').analyze()).violations.filter(
        (v) => v.impact === 'serious' || v.impact === 'critical',
      );
      expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    }

    // A path that does not exist shows the nearest folder above it and offers to create it whole.
    await page.goto(`${kh.url}/settings/connections?browse=${id}&path=${encodeURIComponent(`/tmp/${folder}/a b/c`)}`);
    await expect(panel).toContainText(`/tmp/${folder}/a b/c does not exist on the host`);
    await panel.getByRole('button', { name: `Create /tmp/${folder}/a b/c` }).click();
    await expect(crumbs.locator('[aria-current="page"]')).toHaveText('c');
    await expect(panel).not.toContainText('does not exist');
    await crumbs.getByRole('link', { name: folder }).click();
    await expect(panel.getByRole('link', { name: 'a b/' })).toBeVisible();

    // The Edit form checks the backup path on save: a missing one opens Browse there, to create it.
    await open(page, 'Connections');
    await card(page).getByRole('link', { name: 'Edit' }).click();
    await card(page).getByLabel('Backup path').fill(`/tmp/${folder}/nightly/borg`);
    await card(page).getByRole('button', { name: 'Save and test' }).click();
    await expect(panel).toContainText(`/tmp/${folder}/nightly/borg does not exist on the host`);
    await expect(crumbs.locator('[aria-current="page"]')).toHaveText(folder);
    await panel.getByRole('button', { name: `Create /tmp/${folder}/nightly/borg` }).click();
    await expect(crumbs.locator('[aria-current="page"]')).toHaveText('borg');
    await expect(panel).toContainText("This folder is the connection's backup path.");
    expect(statSync(`/tmp/${folder}/nightly/borg`).isDirectory()).toBe(true);
    await crumbs.getByRole('link', { name: folder }).click();

    await panel.getByRole('button', { name: `Use /tmp/${folder} as backup path` }).click();
    await expect(card(page).locator('dd', { hasText: `/tmp/${folder}` })).toBeVisible();
    await expect(page.getByRole('region', { name: /^Browse / })).toHaveCount(0);
  } finally {
    rmSync(`/tmp/${folder}`, { recursive: true, force: true });
  }
});

test('a silent host shows the finished TCP stage while the handshake waits', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'live progress needs JavaScript; without it the post returns the finished stages');
  const silent = createServer(() => {}); // accepts TCP and never says a word
  await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', () => ok()));
  const address = silent.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const created = await api('/api/ssh-keys/connections', token, { host: '127.0.0.1', username: 'quiet', port });
    expect(created.status).toBe(201);
    await signIn(page);
    await open(page, 'Connections');
    const quiet = page.getByRole('article', { name: `quiet@127.0.0.1:${port}` });
    await quiet.getByRole('button', { name: 'Test', exact: true }).click();
    const live = page.locator('.live-progress');
    await expect(live).toContainText('Working');
    await expect(live.locator('.stage-ok')).toContainText('tcp', { timeout: 5000 });
    await expect(quiet.locator('.badge')).toHaveText('failed', { timeout: 20000 });
    await expect(live).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: 'host key' }).first()).toContainText('no answer within');
  } finally {
    silent.close();
  }
});
