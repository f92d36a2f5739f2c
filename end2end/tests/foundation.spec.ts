// The foundation, as an operator meets it: an empty install → setup → admin → Users → a viewer
// whose changes are refused. Runs twice: with JavaScript on and with it off (forms post).
import { expect, test, type Page } from './fixtures';
import { startKeyhaven, type Keyhaven } from './server';

test.describe.configure({ mode: 'serial' });

let kh: Keyhaven;
test.beforeAll(async () => {
  kh = await startKeyhaven();
});
test.afterAll(async () => {
  await kh?.stop();
});

async function signIn(page: Page, username: string, password: string) {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('setup creates the first admin, who adds a viewer; the viewer cannot change anything', async ({ page, browser }, info) => {
  const javaScriptEnabled = info.project.use.javaScriptEnabled !== false;
  await page.goto(`${kh.url}/settings/users`);
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel('Username', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Password', { exact: true }).evaluate((el) => el.removeAttribute('minlength')).catch(() => {});
  if (javaScriptEnabled) {
    // The server's own message appears when the browser's checks are bypassed.
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await expect(page.getByRole('alert')).toContainText('at least 10 characters');
  }
  await page.getByLabel('Password', { exact: true }).fill('admin password 1');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  // The wizard goes on with the key and the first connection; both can be skipped.
  await expect(page.getByRole('heading', { name: 'SSH key', level: 2 })).toBeVisible();
  await page.getByRole('button', { name: 'Skip this step' }).click();
  await expect(page.getByRole('heading', { name: 'First connection', level: 2 })).toBeVisible();
  await page.getByRole('button', { name: 'Skip this step' }).click();
  await expect(page.getByRole('heading', { name: 'Keyhaven is set up' })).toBeVisible();
  await page.getByRole('link', { name: 'Open the dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByText('Signed in as')).toContainText('admin');

  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  await page.getByLabel('Username', { exact: true }).fill('viewer1');
  await page.getByLabel('Password', { exact: true }).fill('viewer password 1');
  await page.getByLabel('Role').selectOption('viewer');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('rowheader', { name: 'viewer1' })).toBeVisible();

  // The viewer, in a browser of their own.
  const viewerContext = await browser.newContext({ javaScriptEnabled });
  const viewer = await viewerContext.newPage();
  await viewer.goto(`${kh.url}/settings/users`);
  await expect(viewer).toHaveURL(/\/login\?next=/);
  await signIn(viewer, 'viewer1', 'wrong password');
  await expect(viewer.getByRole('alert')).toContainText('Incorrect username or password');
  await signIn(viewer, 'viewer1', 'viewer password 1');
  await expect(viewer).toHaveURL(/\/settings\/users$/);
  await expect(viewer.getByRole('rowheader', { name: 'admin' })).toBeVisible();
  await expect(viewer.getByRole('button', { name: 'Add user' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /Make admin/ })).toHaveCount(0);

  // Even a hand-made request with the viewer's session is refused by the server.
  const refused = await viewer.request.post(`${kh.url}/rpc/create_user`, {
    form: { username: 'sneaky', password: 'sneaky password 1', role: 'admin' },
    headers: { Accept: 'application/json' },
  });
  expect(refused.status()).toBe(403);
  await viewer.reload();
  await expect(viewer.getByRole('rowheader', { name: 'sneaky' })).toHaveCount(0);
  await viewerContext.close();
});

test('a token is shown once, sessions survive a restart, and the audit log records it all', async ({ page }) => {
  await page.goto(`${kh.url}/login`);
  await signIn(page, 'admin', 'admin password 1');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();

  await page.getByRole('link', { name: 'API tokens', exact: true }).click();
  await expect(page.getByText('You have no tokens')).toBeVisible();
  await page.getByLabel('Name').fill('backup script');
  await page.getByRole('checkbox', { name: /read:public_key/ }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByLabel('Token', { exact: true });
  await expect(shown).toHaveValue(/^khp_/);
  const token = await shown.inputValue();
  await expect(page.getByRole('button', { name: 'Revoke backup script' })).toBeVisible();

  // The token works against the API, with its scope enforced.
  const denied = await page.request.get(`${kh.url}/api/users`, { headers: { Authorization: `Bearer ${token}` } });
  expect(denied.status()).toBe(403);
  expect(denied.headers()['x-accepted-oauth-scopes']).toBe('admin');

  await kh.restart();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  await expect(page.getByLabel('Token', { exact: true })).toHaveCount(0);

  await page.getByRole('button', { name: 'Revoke backup script' }).click();
  await expect(page.getByText('revoked')).toBeVisible();

  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const table = page.getByRole('table');
  await expect(table).toContainText('setup.admin_created');
  await expect(table).toContainText('login.failed');
  await expect(table).toContainText('token.revoked');
  await page.getByLabel('Action starts with').fill('token');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=token/);
  await expect(table).not.toContainText('login.failed');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${kh.url}/settings/users`);
  await expect(page).toHaveURL(/\/login\?next=/);
});
