// My public keys and Repositories with deploy keys, with JavaScript on and off: paste a key made by
// ssh-keygen, see the fingerprint ssh-keygen prints, serve it at /{user}.keys, and clean up.
import { expect, test, type Page } from './fixtures';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKeyhaven, type Keyhaven } from './server';

test.describe.configure({ mode: 'serial' });

let kh: Keyhaven;
test.beforeAll(async () => {
  kh = await startKeyhaven();
  const res = await fetch(`${kh.url}/api/setup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin password 1' }),
  });
  expect(res.status).toBe(201);
});
test.afterAll(async () => {
  await kh?.stop();
});

/** A fresh key pair made by ssh-keygen: its .pub line, private key text and fingerprint. */
function keygen(type: string): { pub: string; priv: string; fingerprint: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'kh-e2e-pk-')), 'id');
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'e2e@test', '-f', file]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`]).toString().split(' ')[1];
  return { pub: readFileSync(`${file}.pub`, 'utf8').trim(), priv: readFileSync(file, 'utf8'), fingerprint };
}

async function signIn(page: Page) {
  await page.goto(`${kh.url}/login`);
  await page.getByLabel('Username', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('admin password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'My public keys' })).toBeVisible();
}

test('add and delete my public keys; tools read them at /{user}.keys', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'My public keys' }).click();
  await expect(page.getByText('You have no public keys yet')).toBeVisible();
  const form = page.locator('section', { hasText: 'Add a public key' });
  const key = keygen('ed25519');

  // A private key pasted by mistake is refused with a message that says what to paste instead.
  await form.getByLabel('Title').fill('laptop');
  await form.getByLabel(/^Key/).fill(key.priv);
  await form.getByRole('button', { name: 'Add key' }).click();
  await expect(page.locator('section', { hasText: 'Add a public key' }).getByRole('alert')).toContainText(
    'this is a private key; paste the .pub file instead',
  );
  await expect(page.locator('table.public-key-table')).toHaveCount(0);

  await form.getByLabel('Title').fill('laptop');
  await form.getByLabel(/^Key/).fill(key.pub);
  await form.getByRole('button', { name: 'Add key' }).click();
  const row = page.locator('table.public-key-table tbody tr', { hasText: 'laptop' });
  await expect(row).toContainText(key.fingerprint);
  await expect(row).toContainText('ssh-ed25519 256');
  await expect(row).toContainText('e2e@test');

  const served = await (await fetch(`${kh.url}/admin.keys`)).text();
  expect(served).toBe(`${key.pub.split(' ').slice(0, 2).join(' ')}\n`);

  await row.getByText('Delete', { exact: true }).click();
  await row.getByRole('button', { name: 'Delete laptop' }).click();
  await expect(page.getByText('You have no public keys yet')).toBeVisible();
  expect(await (await fetch(`${kh.url}/admin.keys`)).text()).toBe('');
});

test('create a repository, manage its deploy keys, delete it', async ({ page }, info) => {
  const repoName = `nas-${info.project.name}`;
  await signIn(page);
  await page.getByRole('link', { name: 'Repositories' }).click();
  const create = page.locator('section', { hasText: 'New repository' });
  await create.getByLabel('Name').fill(repoName);
  await create.getByLabel('Description').fill('borg on the NAS');
  await create.getByRole('button', { name: 'Create repository' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `admin/${repoName}` })).toBeVisible();
  await expect(page.getByText('No deploy keys yet')).toBeVisible();

  const add = page.locator('section', { hasText: 'Add a deploy key' });
  const ci = keygen('ecdsa');
  await add.getByLabel('Title').fill('ci-server');
  await add.getByLabel(/^Key/).fill(ci.pub);
  await add.getByRole('button', { name: 'Add deploy key' }).click();
  const ciRow = page.locator('table.public-key-table tbody tr', { hasText: 'ci-server' });
  await expect(ciRow).toContainText(ci.fingerprint);
  await expect(ciRow).toContainText('read-only');

  const pusher = keygen('ed25519');
  await add.getByLabel('Title').fill('pusher');
  await add.getByLabel(/^Key/).fill(pusher.pub);
  await add.getByRole('checkbox', { name: /Allow write access/ }).check();
  await add.getByRole('button', { name: 'Add deploy key' }).click();
  await expect(page.locator('table.public-key-table tbody tr', { hasText: 'pusher' })).toContainText('read-write');

  // The same key twice is refused: a fingerprint is unique across every key Keyhaven holds.
  await add.getByLabel(/^Key/).fill(pusher.pub);
  await add.getByRole('button', { name: 'Add deploy key' }).click();
  await expect(page.locator('section', { hasText: 'Add a deploy key' }).getByRole('alert')).toContainText(
    'Key is already in use',
  );

  await ciRow.getByText('Delete', { exact: true }).click();
  await ciRow.getByRole('button', { name: 'Delete ci-server' }).click();
  await expect(page.locator('table.public-key-table tbody tr')).toHaveCount(1);

  const danger = page.locator('section', { hasText: 'Delete this repository' });
  await danger.getByText('Delete', { exact: true }).click();
  await expect(danger).toContainText('Its 1 deploy key(s) are deleted with it');
  await danger.getByRole('button', { name: `Delete admin/${repoName}` }).click();
  await expect(page).toHaveURL(/\/settings\/repositories$/);
  await expect(page.getByRole('link', { name: `admin/${repoName}` })).toHaveCount(0);
});
