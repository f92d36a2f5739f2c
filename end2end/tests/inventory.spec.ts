// The inventory in the browser, with JavaScript on and off, against a real sshd: from a
// connection's page to its Authorized keys, "Read now" reads the user's ~/.ssh/authorized_keys
// (which the deploy wrote) and shows each line with whose key it is — the system key as this
// Keyhaven's, a line added by hand as unknown, behind its options; that line adopted (noted, the
// note forgotten, then imported as a person's key) and removed. axe with JavaScript on.
import AxeBuilder from '@axe-core/playwright';
import { appendFileSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from './fixtures';
import { freePort, startKeyhaven, type Keyhaven } from './server';
import { startSshd, type Sshd } from './sshd';

test.describe.configure({ mode: 'serial' });

let kh: Keyhaven;
let sshd: Sshd;
let token: string;
let working: number;
const UNKNOWN =
  'from="10.0.0.0/8" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N bob@desk';

async function call(path: string, method: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${kh.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
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
  working = body.connection.id as number;
  appendFileSync(`/home/${sshd.user}/.ssh/authorized_keys`, `${UNKNOWN}\n`);
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

test("Read now shows whose key each line of the host's authorized_keys lets in", async ({
  page,
  javaScriptEnabled,
}, info) => {
  const before = readFileSync(`/home/${sshd.user}/.ssh/authorized_keys`);
  await signIn(page);
  await page.goto(`${kh.url}/settings/connections/${working}`);
  await page.getByRole('link', { name: 'Authorized keys on this host →' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Authorized keys' })).toBeVisible();
  await page.getByRole('button', { name: 'Read now' }).click();
  const lines = page.getByRole('table', { name: 'Lines of authorized_keys' });
  await expect(lines.getByRole('row')).toHaveCount(3);
  await expect(lines.getByRole('row').nth(1)).toContainText('this Keyhaven System SSH Key');
  await expect(lines.getByRole('row').nth(2)).toContainText('unknown');
  await expect(lines.getByRole('row').nth(2)).toContainText('from="10.0.0.0/8"');
  await expect(lines.getByRole('row').nth(2)).toContainText('bob@desk');
  await expect(page.getByText('2 key line(s), 1 this Keyhaven\'s, 1 unknown')).toBeVisible();
  expect(readFileSync(`/home/${sshd.user}/.ssh/authorized_keys`).equals(before)).toBe(true);
  if (javaScriptEnabled) {
    const violations = (await new AxeBuilder({ page }).include('main').analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  await page.screenshot({ path: `.artifacts/screens/inventory-${info.project.name}.png`, fullPage: true });
  const api = await (await call(`/api/ssh-keys/connections/${working}/authorized-keys`, 'GET')).json();
  expect([api.counts.keyhaven, api.counts.unknown]).toEqual([1, 1]);
});

test('Key inventory lists the hosts with unknown keys and finds where a fingerprint logs in', async ({
  page,
  javaScriptEnabled,
}) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Key inventory' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Key inventory' })).toBeVisible();
  const card = page.getByRole('region', { name: `${sshd.user}@127.0.0.1:${sshd.port}` });
  await expect(card.getByRole('row')).toHaveCount(2);
  await expect(card).toContainText('bob@desk');
  if (javaScriptEnabled) {
    const violations = (await new AxeBuilder({ page }).include('main').analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  const api = await (await call(`/api/ssh-keys/connections/${working}/authorized-keys`, 'GET')).json();
  const system = api.lines.find((l: { class: string }) => l.class === 'keyhaven').fingerprint as string;
  await page.getByLabel('Fingerprint').fill(system);
  await page.getByLabel('Whose').selectOption({ label: 'Any' });
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page).toHaveURL(/fingerprint=SHA256/);
  await expect(card.getByRole('row')).toHaveCount(2);
  await expect(card).toContainText('this Keyhaven System SSH Key');
  await page.getByLabel('Fingerprint').fill('SHA256:nothing-has-this');
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page).toHaveURL(/fingerprint=SHA256%3Anothing-has-this/);
  await expect(page.getByText("No connection's newest read has such a key.")).toBeVisible();
});

test('Read every connection runs as a job the page follows to the end', async ({ page, javaScriptEnabled }) => {
  await signIn(page);
  await page.goto(`${kh.url}/settings/inventory`);
  const card = page.getByRole('region', { name: 'Read every connection' });
  await card.getByRole('button', { name: 'Read every connection' }).click();
  // Without JavaScript the page reloads itself while the job runs.
  await expect(card.getByRole('status')).toHaveText('Read 1 of 1 connections', { timeout: 20_000 });
  await expect(card.getByRole('progressbar', { name: 'Connections read' })).toHaveAttribute('value', '1');
  if (javaScriptEnabled) {
    const violations = (await new AxeBuilder({ page }).include('main').analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  const api = await (await call('/api/inventory/runs/latest', 'GET')).json();
  expect([api.run.state, api.run.done, api.run.failed, api.run.started_by]).toEqual(['finished', 1, 0, 'admin']);
});

test('Adopt notes an unknown key, forgets the note, then imports it as a person\'s key', async ({
  page,
  javaScriptEnabled,
}) => {
  const before = readFileSync(`/home/${sshd.user}/.ssh/authorized_keys`);
  await signIn(page);
  await page.goto(`${kh.url}/settings/connections/${working}/authorized-keys`);
  await page.getByRole('button', { name: 'Read now' }).click();
  const lines = page.getByRole('table', { name: 'Lines of authorized_keys' });
  const row = lines.getByRole('row').nth(2);
  await expect(row).toContainText('unknown');
  await expect(lines.getByRole('row').nth(1).getByText(/^Adopt line/)).toHaveCount(0);
  await row.getByText('Adopt line 2…').click();
  if (javaScriptEnabled) {
    const violations = (await new AxeBuilder({ page }).include('main').analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  await row.getByLabel('Or note whose it is').fill("Bob's desk, until March");
  await row.getByRole('button', { name: 'Save note' }).click();
  await expect(lines.getByRole('row').nth(2)).toContainText("noted Bob's desk, until March");
  await expect(page.getByText("2 key line(s), 1 this Keyhaven's, 1 noted")).toBeVisible();

  await page.goto(`${kh.url}/settings/inventory`);
  const notes = page.getByRole('region', { name: 'Noted keys' });
  await expect(notes).toContainText("Bob's desk, until March");
  await notes.getByRole('button', { name: 'Forget note' }).click();
  await expect(notes).toContainText('No notes yet');

  await page.goto(`${kh.url}/settings/connections/${working}/authorized-keys`);
  const again = page.getByRole('table', { name: 'Lines of authorized_keys' }).getByRole('row').nth(2);
  await expect(again).toContainText('unknown');
  await again.getByText('Adopt line 2…').click();
  await again.getByLabel('Import as the public key of user').fill('admin');
  await again.getByLabel("Title (optional; the key's comment otherwise)").fill('bob');
  await again.getByRole('button', { name: 'Import key' }).click();
  await expect(page.getByRole('table', { name: 'Lines of authorized_keys' }).getByRole('row').nth(2)).toContainText(
    "a person's key admin (bob)",
  );
  const served = await (await fetch(`${kh.url}/admin.keys`)).text();
  expect(served).toContain('AAAAC3NzaC1lZDI1NTE5AAAAIJqqxUH308aYYete9V7dPHKtx7mUS4S8hXUbyI9YJR4N');
  expect(readFileSync(`/home/${sshd.user}/.ssh/authorized_keys`).equals(before)).toBe(true);
});

test('Remove takes one exact line out of the host after a confirmation', async ({ page, javaScriptEnabled }) => {
  await signIn(page);
  await page.goto(`${kh.url}/settings/connections/${working}/authorized-keys`);
  await page.getByRole('button', { name: 'Read now' }).click();
  const lines = page.getByRole('table', { name: 'Lines of authorized_keys' });
  await expect(lines.getByRole('row')).toHaveCount(3);
  const row = lines.getByRole('row').nth(2);
  await row.getByText('Remove line 2…').click();
  await expect(row.getByText(UNKNOWN, { exact: true })).toBeVisible();
  if (javaScriptEnabled) {
    const violations = (await new AxeBuilder({ page }).include('main').analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  await row.getByLabel('I want this key to stop logging in here').check();
  await row.getByRole('button', { name: 'Remove this line' }).click();
  await expect(lines.getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('heading', { name: /^Changes since the read of/ })).toBeVisible();
  const file = readFileSync(`/home/${sshd.user}/.ssh/authorized_keys`, 'utf8');
  expect(file).not.toContain('bob@desk');
  expect(file.split('\n').filter((l) => l.trim()).length).toBe(1);
});
