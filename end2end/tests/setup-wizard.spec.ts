// The setup wizard from an empty data dir to a connected host with its storage shown, against a
// real sshd: admin → system key (ed25519 preselected) → a restart in the middle resumes the
// wizard → scan, check the fingerprint ssh-keygen prints, trust → a wrong password is refused and
// saves nothing → deploy → storage → done. Runs with JavaScript on and off.
import { expect, test, type Page } from './fixtures';
import { freePort, startKeyhaven, type Keyhaven } from './server';
import { startSshd, type Sshd } from './sshd';

test.describe.configure({ mode: 'serial' });

let kh: Keyhaven;
let sshd: Sshd;

test.beforeAll(async () => {
  kh = await startKeyhaven();
  sshd = await startSshd(await freePort());
});
test.afterAll(async () => {
  await sshd?.stop();
  await kh?.stop();
});

/** Each wizard step at a desktop width and at a phone width. */
async function shoot(page: Page, name: string, project: string) {
  for (const [width, label] of [
    [1280, 'wide'],
    [390, 'phone'],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `.artifacts/screens/setup-${name}-${label}-${project}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function connectionCount(): Promise<number> {
  const login = await fetch(`${kh.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin password 1' }),
  });
  const token = (await login.json()).access_token as string;
  const list = await fetch(`${kh.url}/api/ssh-keys/connections`, { headers: { Authorization: `Bearer ${token}` } });
  return ((await list.json()).connections as unknown[]).length;
}

test('the wizard takes an empty install to a connected host, across a restart', async ({ page }, info) => {
  const project = info.project.name;
  await page.goto(`${kh.url}/`);
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('navigation', { name: 'Setup progress' })).toContainText('Step 1 of 4');
  await shoot(page, '1-admin', project);
  await page.getByLabel('Username', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('admin password 1');
  await page.getByRole('button', { name: 'Create admin account' }).click();

  await expect(page.getByRole('heading', { name: 'SSH key', level: 2 })).toBeVisible();
  await expect(page.getByLabel('Type and size')).toHaveValue('ed25519');
  await shoot(page, '2-key', project);
  await page.getByRole('button', { name: 'Generate system key' }).click();
  const publicKey = page.getByLabel(/^Public key/);
  await expect(publicKey).toHaveValue(/^ssh-ed25519 AAAA/);

  // A restart (and a fresh page load) resumes where the wizard stopped.
  await kh.restart();
  await page.goto(`${kh.url}/setup`);
  await expect(page.getByRole('navigation', { name: 'Setup progress' })).toContainText('Step 2 of 4');
  await expect(publicKey).toHaveValue(/^ssh-ed25519 AAAA/);
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page.getByRole('heading', { name: 'First connection', level: 2 })).toBeVisible();
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(sshd.port));
  await page.getByLabel('User', { exact: true }).fill(sshd.user);
  await page.getByRole('button', { name: 'Scan host key' }).click();
  const offered = page.getByRole('article', { name: 'ssh-ed25519 host key' });
  await expect(offered).toContainText(sshd.fingerprint());
  await expect(page.getByLabel(/^Password for the host/)).toHaveCount(0);
  await shoot(page, '3-scan', project);
  await offered.getByRole('button', { name: 'Trust ssh-ed25519 key' }).click();

  const password = page.getByLabel(/^Password for the host/);
  await password.fill('not the password');
  await page.getByRole('button', { name: 'Deploy the key and connect' }).click();
  await expect(page.getByRole('alert')).toContainText('rejected the password');
  expect(await connectionCount()).toBe(0);
  await expect(page.getByLabel('Host', { exact: true })).toHaveValue('127.0.0.1');
  await password.fill(sshd.password);
  await page.getByRole('button', { name: 'Deploy the key and connect' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Connected to' })).toContainText(
    `${sshd.user}@127.0.0.1:${sshd.port}`,
  );
  await expect(page.getByText(/used of .* free/)).toBeVisible();
  await expect(page.getByText(sshd.password)).toHaveCount(0);
  await shoot(page, '3-connected', project);
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(page.getByRole('heading', { name: 'Keyhaven is set up' })).toBeVisible();
  await shoot(page, '4-done', project);
  await page.goto(`${kh.url}/setup`);
  await expect(page.getByRole('heading', { name: 'Keyhaven is set up' })).toBeVisible();
  await page.getByRole('link', { name: 'Open the dashboard' }).click();
  await expect(page.locator('section', { hasText: 'Open connections' })).toContainText('1 connected');
  const systemKey = page.getByRole('region', { name: 'System key' });
  await expect(systemKey).toContainText('System SSH Key · ed25519 256');
  await expect(systemKey).toContainText('Used by 1 connection(s)');
});
