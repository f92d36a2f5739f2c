// The SSH Keys page: generate the system key, import a key made by ssh-keygen, see fingerprints
// that match OpenSSH's, delete. With JavaScript on and off.
import { expect, interactive, test } from './fixtures';
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

test('generate the system key, import a named key, delete it', async ({ page, context }, info) => {
  const javaScriptEnabled = info.project.use.javaScriptEnabled !== false;
  await page.goto(`${kh.url}/login`);
  await page.getByLabel('Username', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('admin password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'SSH keys', exact: true }).click();
  await expect(page.getByText('No SSH keys yet')).toBeVisible();

  const generate = page.getByRole('region', { name: 'Generate a key' }).or(page.locator('section', { hasText: 'Generate a key' }));
  await generate.getByLabel('Name', { exact: true }).fill('primary');
  await generate.getByLabel('Type and size').selectOption('ed25519');
  await generate.getByRole('checkbox', { name: /system key/ }).check();
  await generate.getByRole('button', { name: 'Generate key' }).click();
  const card = page.locator('section.key-card', { hasText: 'primary (system key)' });
  await expect(card).toBeVisible();
  await expect(card).toContainText('ed25519 256');
  await expect(card.locator('.randomart')).toContainText('[ED25519 256]');
  await expect(card.getByLabel('Public key')).toHaveValue(/^ssh-ed25519 /);
  const copy = card.getByRole('button', { name: 'Copy public key' });
  if (javaScriptEnabled) {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await copy.click();
    await expect(card.getByRole('button', { name: 'Copied' })).toBeVisible();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await card.getByLabel('Public key').inputValue());
  } else {
    await expect(copy).toBeHidden();
  }

  // A key made by ssh-keygen imports with the fingerprint ssh-keygen prints.
  const dir = mkdtempSync(join(tmpdir(), 'kh-e2e-key-'));
  const file = join(dir, 'id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '384', '-N', 'pass phrase', '-f', file]);
  const expected = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`]).toString().split(' ')[1];
  const importForm = page.locator('section', { hasText: 'Import a key' });
  await importForm.getByLabel('Name').fill('laptop');
  await importForm.getByLabel('Private key (OpenSSH or PEM)').fill(readFileSync(file, 'utf8'));
  await importForm.getByRole('button', { name: 'Import key' }).click();
  await expect(importForm.getByRole('alert')).toContainText('encrypted; enter its passphrase');
  await importForm.getByLabel('Name').fill('laptop');
  await importForm.getByLabel('Private key (OpenSSH or PEM)').fill(readFileSync(file, 'utf8'));
  await importForm.getByLabel('Passphrase (if the key has one)').fill('pass phrase');
  await importForm.getByRole('button', { name: 'Import key' }).click();
  const row = (name: string) => page.locator('table.key-table tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });
  const laptop = row('laptop');
  await expect(laptop).toContainText(expected);
  await expect(laptop).toContainText('ecdsa 384');

  // A named key generated with a comment of the operator's choosing ends its .pub line with it.
  await generate.getByLabel('Name', { exact: true }).fill('deploy-ci');
  await generate.getByLabel('Type and size').selectOption('ecdsa-256');
  await generate.getByLabel(/^Comment/).fill('ci@build-01');
  await generate.getByRole('button', { name: 'Generate key' }).click();
  const ci = row('deploy-ci');
  await expect(ci).toContainText('ecdsa 256');
  await expect(ci.getByRole('cell', { name: 'ci@build-01', exact: true })).toBeVisible();
  await ci.locator('summary', { hasText: 'Public key' }).click();
  await expect(ci.getByLabel('Public key')).toHaveValue(/^ecdsa-sha2-nistp256 \S+ ci@build-01$/);

  // The same kind of key as an uploaded file: a wrong passphrase is explained, then it imports.
  const upload = page.locator('section', { hasText: 'Upload a key file' });
  const uploaded = join(dir, 'uploaded');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'file pass', '-f', uploaded]);
  const uploadedFingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${uploaded}.pub`]).toString().split(' ')[1];
  await upload.getByLabel('Name').fill('from-file');
  await upload.getByLabel('Private key file').setInputFiles(uploaded);
  await upload.getByLabel('Passphrase (if the key has one)').fill('not it');
  await upload.getByRole('button', { name: 'Upload key' }).click();
  await expect(page.locator('section', { hasText: 'Upload a key file' }).getByRole('alert')).toContainText('passphrase is wrong');
  await expect(row('from-file')).toHaveCount(0);
  await interactive(page, javaScriptEnabled);
  await upload.getByLabel('Name').fill('from-file');
  await upload.getByLabel('Private key file').setInputFiles(uploaded);
  await upload.getByLabel('Passphrase (if the key has one)').fill('file pass');
  await upload.getByRole('button', { name: 'Upload key' }).click();
  const fromFile = row('from-file');
  await expect(fromFile).toContainText(uploadedFingerprint);
  await expect(fromFile).toContainText('rsa 2048');

  await laptop.getByText('Delete', { exact: true }).click();
  await laptop.getByRole('button', { name: 'Delete laptop' }).click();
  await expect(row('laptop')).toHaveCount(0);
  await expect(page.locator('section.key-card')).toHaveCount(1);
  await expect(page.locator('table.key-table tbody tr')).toHaveCount(2);
});
