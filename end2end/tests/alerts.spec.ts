// Settings → Alerts in the browser, with JavaScript on and off: add a webhook channel (its URL
// and secret never shown again), send a test alert to a real receiver on loopback that checks
// the HMAC signature, get a real alert from Keyhaven's own scheduler (a connection to a closed
// port, checked every 2 s), edit a channel, a bad email address named in the form, turn a channel off and
// delete it. axe with JavaScript on (the HTML is the same).
import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { expect, test, type Page } from './fixtures';
import { freePort, startKeyhaven, type Keyhaven } from './server';

test.describe.configure({ mode: 'serial' });

const SECRET = 'e2e webhook secret';
let kh: Keyhaven;
let token: string;
let receiver: Server;
let receiverUrl: string;
type Hit = { path: string; event: string; signed: boolean; body: { alerts: { kind: string; connection_id: number }[] } };
const hits: Hit[] = [];

async function call(path: string, method: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${kh.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

test.beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
      hits.push({
        path: req.url ?? '',
        event: String(req.headers['x-keyhaven-event']),
        signed: req.headers['x-keyhaven-signature-256'] === expected,
        body: JSON.parse(raw.toString('utf8')),
      });
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${port}`;
  kh = await startKeyhaven({ KEYHAVEN_CHECK_INTERVAL_SECS: '2' });
  expect((await call('/api/setup', 'POST', { username: 'admin', password: 'admin password 1' })).status).toBe(201);
  const login = await call('/api/auth/login', 'POST', { username: 'admin', password: 'admin password 1' });
  token = (await login.json()).access_token as string;
});
test.afterAll(async () => {
  await kh?.stop();
  receiver?.close();
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

test('a webhook channel gets a signed test alert and the alerts of scheduled checks', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const name = `hook ${info.project.name}`;
  const path = `/hook/${info.project.name}/capability-path`;
  await signIn(page);
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Alerts' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
  await expect(page.getByText('No channels yet')).toBeVisible();
  await axe(page, javaScriptEnabled);

  const form = page.getByRole('region', { name: 'New webhook' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('URL', { exact: true }).fill(`${receiverUrl}${path}`);
  await form.getByLabel('Secret (optional)').fill(SECRET);
  await form.getByRole('button', { name: 'Add webhook' }).click();
  const row = page.getByRole('row', { name: new RegExp(`^${name} webhook`) });
  await expect(row).toContainText(`${receiverUrl}/…`);
  await expect(row).toContainText('signed (X-Keyhaven-Signature-256)');
  await expect(page.locator('main')).not.toContainText('capability-path');
  await expect(page.locator('main')).not.toContainText(SECRET);

  await row.getByRole('button', { name: `Send test alert to ${name}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(`^${name} webhook`) })).toContainText('delivered');
  await expect(page.getByRole('row', { name: new RegExp(`^${name} webhook`) })).toContainText('HTTP 204');
  const test = hits.filter((h) => h.path === path);
  expect(test.map((h) => [h.event, h.signed])).toEqual([['test', true]]);
  await page.getByText(`Deliveries to ${name} (1)`, { exact: true }).click();
  const history = page.getByRole('table', { name: `Deliveries to ${name}, newest first` });
  await expect(history.getByRole('row').nth(1)).toContainText('test alert');
  await expect(history.getByRole('row').nth(1)).toContainText('HTTP 204');
  await axe(page, javaScriptEnabled);
  await page.screenshot({ path: `.artifacts/screens/alerts-${info.project.name}.png`, fullPage: true });

  // A connection to a closed port fails two scheduled checks in a row: one alert, delivered.
  const closed = await call('/api/ssh-keys/connections', 'POST', {
    host: '127.0.0.1',
    username: `gone-${info.project.name}`,
    port: await freePort(),
  });
  expect(closed.status).toBe(201);
  const id = (await closed.json()).connection.id as number;
  await expect
    .poll(() => hits.filter((h) => h.path === path && h.event === 'alert' && h.body.alerts[0]?.connection_id === id).length, {
      timeout: 30_000,
    })
    .toBe(1);
  const alert = hits.find((h) => h.path === path && h.event === 'alert');
  expect([alert?.signed, alert?.body.alerts[0].kind]).toEqual([true, 'failing']);
  expect((await call(`/api/ssh-keys/connections/${id}`, 'DELETE')).status).toBe(200);

  // The Edit form changes what it shows and keeps the secret it never shows.
  await page.goto(`${kh.url}/settings/alerts`);
  await page.getByText(`Edit ${name}`, { exact: true }).click();
  const edit = page.locator('details', { hasText: `Edit ${name}` });
  await edit.getByLabel('Send', { exact: true }).selectOption('a digest every 15 minutes');
  await edit.getByRole('button', { name: `Save ${name}` }).click();
  const saved = page.getByRole('row', { name: new RegExp(`^${name} webhook`) });
  await expect(saved).toContainText('digest every 15 min');
  await expect(saved).toContainText('signed (X-Keyhaven-Signature-256)');
  await axe(page, javaScriptEnabled);
});

test('a bad email address is named, and a channel can be turned off and deleted', async ({ page }, info) => {
  const name = `hook ${info.project.name}`;
  await signIn(page);
  await page.goto(`${kh.url}/settings/alerts`);
  const form = page.getByRole('region', { name: 'New email channel' });
  await form.getByLabel('Name', { exact: true }).fill('ops mail');
  await form.getByLabel('Send to', { exact: true }).fill('ops@example.com, not an address');
  await form.getByLabel('From', { exact: true }).fill('keyhaven@example.com');
  await form.getByLabel('SMTP server', { exact: true }).fill('smtp.example.com');
  await form.getByRole('button', { name: 'Add email channel' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "'not an address' is not an email address." })).toBeVisible();
  const listed = await (await call('/api/alerts/channels', 'GET')).json();
  expect(listed.channels.map((c: { name: string }) => c.name)).toEqual([name]);

  await page.getByRole('button', { name: `Turn off ${name}` }).click();
  await expect(page.getByRole('button', { name: `Turn on ${name}` })).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(`^${name} webhook`) })).toContainText('off');
  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(page.getByText('No channels yet')).toBeVisible();
});
