// Health in the browser, with JavaScript on and off, against a real sshd and Keyhaven's own
// scheduler (checks every 2 s): the Dashboard puts the failing connection first with its reason,
// the Health page counts reasons and shows the one alert, a card's strip shows the last hours, and a connection's page has
// the status strip, storage over time, the timeline and its own check interval. axe with
// JavaScript on (the HTML is the same).
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures';
import { freePort, startKeyhaven, type Keyhaven } from './server';
import { startSshd, type Sshd } from './sshd';

test.describe.configure({ mode: 'serial' });

let kh: Keyhaven;
let sshd: Sshd;
let token: string;
let working: number;
let closedPort: number;

async function call(path: string, method: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${kh.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

test.beforeAll(async () => {
  kh = await startKeyhaven({ KEYHAVEN_CHECK_INTERVAL_SECS: '2' });
  sshd = await startSshd(await freePort());
  closedPort = await freePort();
  expect((await call('/api/setup', 'POST', { username: 'admin', password: 'admin password 1' })).status).toBe(201);
  const login = await call('/api/auth/login', 'POST', { username: 'admin', password: 'admin password 1' });
  token = (await login.json()).access_token as string;
  const key = await (await call('/api/ssh-keys/generate', 'POST', { name: 'System SSH Key' })).json();
  const deployed = await call(`/api/ssh-keys/${key.ssh_key.id}/deploy`, 'POST', {
    host: '127.0.0.1',
    username: sshd.user,
    port: sshd.port,
    password: sshd.password,
    use_sftp_mode: true,
    host_key_fingerprint: sshd.fingerprint(),
  });
  const body = await deployed.json();
  expect(body.success, JSON.stringify(body)).toBe(true);
  working = body.connection.id as number;
  const closed = await call('/api/ssh-keys/connections', 'POST', { host: '127.0.0.1', username: 'gone', port: closedPort });
  expect(closed.status).toBe(201);
  // Two scheduled checks of the working connection (storage measured), and the refused one
  // failing twice in a row: one alert.
  await expect
    .poll(
      async () => {
        const summary = await (await call('/api/health/summary', 'GET')).json();
        const checks = await (await call(`/api/ssh-keys/connections/${working}/checks`, 'GET')).json();
        const scheduled = checks.checks.filter((c: { trigger: string }) => c.trigger === 'scheduled').length;
        const alerts = await (await call('/api/alerts', 'GET')).json();
        return summary.failing === 1 && summary.healthy === 1 && scheduled >= 2 && alerts.total === 1;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
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

async function axe(page: Page, javaScriptEnabled: boolean) {
  if (!javaScriptEnabled) return;
  const violations = (await new AxeBuilder({ page }).include('main').analyze()).violations.filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

const workingName = () => `${sshd.user}@127.0.0.1:${sshd.port}`;

test('the Dashboard and the Health page put the failing connection first, with its reason', async ({
  page,
  javaScriptEnabled,
}, info) => {
  await signIn(page);
  const attention = page.getByRole('region', { name: 'Needs attention' });
  await expect(attention).toContainText('1 healthy');
  await expect(attention).toContainText('1 failing');
  await expect(attention.getByRole('listitem').first()).toContainText('connection refused');
  await expect(attention.getByRole('link', { name: `gone@127.0.0.1:${closedPort}` })).toBeVisible();
  await axe(page, javaScriptEnabled);
  await page.screenshot({ path: `.artifacts/screens/dashboard-attention-${info.project.name}.png`, fullPage: true });

  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Health' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Health' })).toBeVisible();
  const reasons = page.getByRole('table', { name: 'Failing connections by reason' });
  await expect(reasons.getByRole('row', { name: /connection refused refused 1/ })).toBeVisible();
  await expect(page.getByText('Checked every 2 s.')).toBeVisible();
  const alerts = page.getByRole('region', { name: 'Recent alerts' });
  await expect(alerts.getByRole('listitem')).toHaveCount(1);
  await expect(alerts).toContainText(`gone@127.0.0.1:${closedPort} is failing (refused, 2 checks in a row)`);
  await axe(page, javaScriptEnabled);

  await page.goto(`${kh.url}/settings/connections`);
  const card = page.getByRole('article', { name: workingName() });
  await expect(card.getByRole('img', { name: /^Last 72 hours: [12] checked, [12] healthy, 0 with failures/ })).toBeVisible();
});

test("a connection's page shows its strip, storage, timeline and its own interval", async ({
  page,
  javaScriptEnabled,
}, info) => {
  await signIn(page);
  await page.goto(`${kh.url}/settings/connections`);
  await page.getByRole('article', { name: workingName() }).getByRole('link', { name: /History/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: workingName() })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Last \d+ checks: \d+ healthy, 0 failed; newest healthy/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Storage used went from \d+% .* over \d+ checks\./ })).toBeVisible();
  const timeline = page.getByRole('table', { name: 'Checks, newest first' });
  await expect(timeline.getByRole('row').nth(1)).toContainText('scheduled');
  await expect(page.getByText('Checked every 2 s (the global setting).')).toBeVisible();
  await axe(page, javaScriptEnabled);
  await page.screenshot({ path: `.artifacts/screens/connection-health-${info.project.name}.png`, fullPage: true });

  await page.getByLabel('Check', { exact: true }).selectOption('Off');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Scheduled checks of this connection are off.')).toBeVisible();
  const schedule = await (await call(`/api/ssh-keys/connections/${working}/schedule`, 'GET')).json();
  expect([schedule.interval_secs, schedule.checks_enabled]).toEqual([0, false]);
  await page.getByLabel('Check', { exact: true }).selectOption('Every hour');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Checked every 1 hour(s) (its own setting).')).toBeVisible();
  // Back to the global interval for the next project's run.
  await page.getByLabel('Check', { exact: true }).selectOption({ label: 'Like every connection (global setting)' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Checked every 2 s (the global setting).')).toBeVisible();
});
