// The wizard's first-connection step when things go wrong, against a real sshd, with JavaScript on
// and off: a host key that is not trusted (any more) refuses the deploy before any password is
// sent; a wrong password is named; neither saves a connection or loses what was typed; a host
// whose key changed shows the warning with both fingerprints. Then a file upload makes the
// system key in the key step.
import { expect, interactive, test, type Page } from './fixtures';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startKeyhaven, type Keyhaven } from './server';
import { startSshd, type Sshd } from './sshd';

test.describe.configure({ mode: 'serial' });

let kh: Keyhaven;
let sshd: Sshd;
let token: string;

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${kh.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const connectionCount = async () => ((await (await api('GET', '/api/ssh-keys/connections')).json()).connections as unknown[]).length;

test.beforeEach(async () => {
  kh = await startKeyhaven();
  sshd = await startSshd(await freePort());
  token = '';
  expect((await api('POST', '/api/setup', { username: 'admin', password: 'admin password 1' })).status).toBe(201);
  const login = await api('POST', '/api/auth/login', { username: 'admin', password: 'admin password 1' });
  token = (await login.json()).access_token as string;
});
test.afterEach(async () => {
  await sshd?.stop();
  await kh?.stop();
});

async function signInToSetup(page: Page) {
  await page.goto(`${kh.url}/login?next=%2Fsetup`);
  await page.getByLabel('Username', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('admin password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'SSH key', level: 2 })).toBeVisible();
}

async function scanFromWizard(page: Page) {
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(sshd.port));
  await page.getByLabel('User', { exact: true }).fill(sshd.user);
  await page.getByRole('button', { name: 'Scan host key' }).click();
}

test('an untrusted host key and a wrong password each say why and save nothing', async ({ page }) => {
  expect((await api('POST', '/api/ssh-keys/generate', { name: 'System SSH Key' })).status).toBe(200);
  await signInToSetup(page);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { name: 'First connection', level: 2 })).toBeVisible();

  await scanFromWizard(page);
  const offered = page.getByRole('article', { name: 'ssh-ed25519 host key' });
  await expect(offered).toContainText(sshd.fingerprint());
  // Until a key is trusted there is nowhere to type a password.
  await expect(page.getByLabel(/^Password for the host/)).toHaveCount(0);
  await offered.getByRole('button', { name: 'Trust ssh-ed25519 key' }).click();
  const password = page.getByLabel(/^Password for the host/);
  await expect(password).toBeVisible();

  // Another admin withdraws the trust while this page is open: the deploy is refused by the server.
  const hosts = (await (await api('GET', '/api/known-hosts')).json()).known_hosts as { id: number }[];
  expect(hosts).toHaveLength(1);
  expect((await api('DELETE', `/api/known-hosts/${hosts[0].id}`)).status).toBe(200);
  await password.fill(sshd.password);
  await page.getByRole('button', { name: 'Deploy the key and connect' }).click();
  await expect(page.getByRole('alert')).toContainText('host key is not trusted');
  expect(sshd.passwordAttempts()).toBe(0);
  expect(await connectionCount()).toBe(0);
  await expect(page.getByLabel('Host', { exact: true })).toHaveValue('127.0.0.1');

  // Trusted again, a wrong password is named and leaves nothing behind either.
  await scanFromWizard(page);
  await offered.getByRole('button', { name: 'Trust ssh-ed25519 key' }).click();
  await password.fill('not the password');
  await page.getByRole('button', { name: 'Deploy the key and connect' }).click();
  await expect(page.getByRole('alert')).toContainText('rejected the password');
  expect(sshd.passwordAttempts()).toBe(1);
  expect(await connectionCount()).toBe(0);
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue(String(sshd.port));
  await expect(page.getByLabel('User', { exact: true })).toHaveValue(sshd.user);
  await expect(page.getByText('not the password')).toHaveCount(0);

  // The host is reinstalled: the wizard warns with both fingerprints instead of offering a deploy.
  const old = sshd.fingerprint();
  await sshd.newHostKey();
  await scanFromWizard(page);
  await expect(page.getByRole('alert')).toContainText(old);
  await expect(offered).toContainText(sshd.fingerprint());
  await expect(page.getByLabel(/^Password for the host/)).toHaveCount(0);
  await expect(offered.getByRole('button', { name: 'Replace trusted keys with this ssh-ed25519 key' })).toBeVisible();
});

test('the key step imports an uploaded key file as the system key', async ({ page, javaScriptEnabled }) => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-e2e-key-'));
  const file = join(dir, 'id_ecdsa');
  execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '256', '-N', 'file pass 1', '-C', 'uploaded', '-f', file]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`]).toString().split(' ')[1];
  await signInToSetup(page);
  await page.getByText('Import an existing key instead').click();
  await page.getByLabel('Or upload the private key file').setInputFiles(file);
  await page.getByLabel('Passphrase of the file (if it has one)').fill('wrong pass');
  await page.getByRole('button', { name: 'Upload as system key' }).click();
  await expect(page.getByRole('alert')).toContainText('passphrase');
  await interactive(page, javaScriptEnabled);
  await page.getByLabel('Or upload the private key file').setInputFiles(file);
  await page.getByLabel('Passphrase of the file (if it has one)').fill('file pass 1');
  await page.getByRole('button', { name: 'Upload as system key' }).click();
  const [type, blob] = readFileSync(`${file}.pub`, 'utf8').split(' ');
  await expect(page.getByLabel(/^Public key/)).toHaveValue(new RegExp(`^${type} ${blob.replace(/[+/]/g, '\\$&')}`));
  await expect(page.getByText(fingerprint)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Setup progress' })).toContainText('Step 2 of 4');
});
