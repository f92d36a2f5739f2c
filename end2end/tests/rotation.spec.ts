// Key rotation in the browser, with JavaScript on and off, against a real sshd: from the SSH keys
// page, Rotate the system key, watch the rotation on its page until it is finished (JavaScript
// asks every second; without it the page reloads itself while the rotation runs), and see the
// host's authorized_keys hold the new key instead of the old one, every other line kept. Then a
// dry run, which changes nothing. Then the attention a rotation can need: a host whose key is
// forced to a command is rolled back with nothing changed on it, and a host that lost the key
// takes the new one with a one-time password. axe with JavaScript on.
import AxeBuilder from '@axe-core/playwright';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from './fixtures';
import { freePort, startKeyhaven, type Keyhaven } from './server';
import { startSshd, type Sshd } from './sshd';

test.describe.configure({ mode: 'serial' });

let kh: Keyhaven;
let sshd: Sshd;
let token: string;
const PERSON = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N bob@desk';

async function call(path: string, method: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${kh.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const authorizedKeys = () => readFileSync(`/home/${sshd.user}/.ssh/authorized_keys`, 'utf8');

async function systemKey(): Promise<{ id: number; public_key: string; fingerprint: string }> {
  return (await (await call('/api/ssh-keys/system-key', 'GET')).json()).ssh_key;
}

test.beforeAll(async () => {
  kh = await startKeyhaven();
  sshd = await startSshd(await freePort());
  expect((await call('/api/setup', 'POST', { username: 'admin', password: 'admin password 1' })).status).toBe(201);
  const login = await call('/api/auth/login', 'POST', { username: 'admin', password: 'admin password 1' });
  token = (await login.json()).access_token as string;
  const key = await (await call('/api/ssh-keys/generate', 'POST', { name: 'System SSH Key' })).json();
  const deployed = await call(`/api/ssh-keys/${key.ssh_key.id}/deploy`, 'POST', {
    host: '127.0.0.1',
    username: sshd.user,
    port: sshd.port,
    password: sshd.password,
    host_key_fingerprint: sshd.fingerprint(),
  });
  const body = await deployed.json();
  expect(body.success, JSON.stringify(body)).toBe(true);
  appendFileSync(`/home/${sshd.user}/.ssh/authorized_keys`, `${PERSON}\n`);
});
test.afterAll(async () => {
  await sshd?.stop();
  await kh?.stop();
});

async function signIn(page: Page) {
  await page.goto(`${kh.url}/login`);
  await page.getByLabel('Username', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('admin password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
}

async function noSeriousViolations(page: Page) {
  const violations = (await new AxeBuilder({ page }).include('main').analyze()).violations.filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

test('Rotate the system key, watch it move every connection, and get the report', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const old = await systemKey();
  const oldBlob = old.public_key.split(' ')[1];
  expect(authorizedKeys()).toContain(oldBlob);
  await signIn(page);
  await page.goto(`${kh.url}/settings/ssh-keys`);
  await page.getByRole('link', { name: 'Rotate' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Key rotations' })).toBeVisible();
  await expect(page.getByLabel('Key', { exact: true })).toHaveValue(String(old.id));
  if (javaScriptEnabled) await noSeriousViolations(page);
  await page.getByRole('button', { name: 'Start rotation' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Rotation #\d+ of System SSH Key$/ })).toBeVisible();
  // The page follows the rotation by itself, with or without JavaScript.
  await expect(page.getByRole('status')).toContainText('Finished', { timeout: 30_000 });
  const hosts = page.getByRole('table', { name: 'Connections' });
  await expect(hosts.getByRole('row').nth(1)).toContainText('Done: old key removed');
  if (javaScriptEnabled) await noSeriousViolations(page);
  await page.screenshot({ path: `.artifacts/screens/rotation-${info.project.name}.png`, fullPage: true });

  const now = await systemKey();
  expect(now.fingerprint).not.toBe(old.fingerprint);
  const file = authorizedKeys();
  expect(file).not.toContain(oldBlob);
  expect(file).toContain(now.public_key.split(' ')[1]);
  expect(file).toContain(PERSON);
  const id = /rotations\/(\d+)/.exec(page.url())?.[1];
  const csv = await (await call(`/api/ssh-keys/rotations/${id}/report.csv`, 'GET')).text();
  expect(csv.split('\n')[1]).toContain(',cleaned,');
});

test('A dry run looks at every host and changes nothing', async ({ page }) => {
  const before = authorizedKeys();
  await signIn(page);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Key rotations' }).click();
  await page.getByLabel(/^Dry run/).check();
  await page.getByRole('button', { name: 'Start rotation' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Dry run #\d+ of System SSH Key$/ })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Dry run done', { timeout: 30_000 });
  await expect(page.getByRole('table', { name: 'Connections' })).toContainText('would add the new key');
  expect(authorizedKeys()).toBe(before);
  const list = await (await call('/api/ssh-keys/rotations', 'GET')).json();
  expect(list.rotations[0].dry_run).toBe(true);
});

test('A host Keyhaven cannot edit needs attention, and Roll back leaves every host as it was', async ({
  page,
  javaScriptEnabled,
}) => {
  const old = await systemKey();
  const forced = `restrict,command="/bin/true" ${old.public_key.trim()}\n${PERSON}\n`;
  writeFileSync(`/home/${sshd.user}/.ssh/authorized_keys`, forced);
  await signIn(page);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Key rotations' }).click();
  await page.getByRole('button', { name: 'Start rotation' }).click();
  await expect(page.getByRole('status')).toContainText('Needs attention', { timeout: 30_000 });
  const hosts = page.getByRole('table', { name: 'Connections' });
  await expect(hosts).toContainText('Needs a password or a manual step.');
  if (javaScriptEnabled) await noSeriousViolations(page);
  await page.getByRole('button', { name: 'Roll back to the old key' }).click();
  await expect(page.getByRole('status')).toContainText('Rolled back to the old key', { timeout: 30_000 });
  expect(authorizedKeys()).toBe(forced);
  expect((await systemKey()).fingerprint).toBe(old.fingerprint);
});

test('A host that lost the key takes the new one with a one-time password', async ({ page, javaScriptEnabled }) => {
  const old = await systemKey();
  writeFileSync(`/home/${sshd.user}/.ssh/authorized_keys`, `${PERSON}\n`);
  await signIn(page);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Key rotations' }).click();
  await page.getByRole('button', { name: 'Start rotation' }).click();
  await expect(page.getByRole('status')).toContainText('Needs attention', { timeout: 30_000 });
  const row = page.getByRole('table', { name: 'Connections' }).getByRole('row').nth(1);
  await expect(row).toContainText('Failed');
  await row.getByText('Deploy with a password').click();
  if (javaScriptEnabled) await noSeriousViolations(page);
  await row.getByLabel('One-time password').fill(sshd.password);
  await row.getByRole('button', { name: 'Deploy the new key' }).click();
  await expect(page.getByRole('status')).toContainText('Finished', { timeout: 30_000 });
  const now = await systemKey();
  expect(now.fingerprint).not.toBe(old.fingerprint);
  const file = authorizedKeys();
  expect(file.startsWith(`${PERSON}\n`)).toBe(true);
  expect(file).toContain(now.public_key.split(' ')[1]);
  expect(file).not.toContain(old.public_key.split(' ')[1]);
});
