// Every page checked with axe-core (no serious or critical violations) in the light and the dark
// colour scheme, and photographed at a desktop width and a phone width (dark at desktop width):
// the setup wizard's steps, sign-in, the dashboard and every settings page, with data on them.
import AxeBuilder from '@axe-core/playwright';
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

const PAGES = [
  '/',
  '/settings/ssh-keys',
  '/settings/connections',
  '/settings/known-hosts',
  '/settings/public-keys',
  '/settings/repositories',
  '/settings/users',
  '/settings/tokens',
  '/settings/audit',
];

/** axe-core's serious and critical violations of the page as it is shown now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Checks the page in the light and the dark colour scheme (contrast differs), and photographs it. */
async function checkPage(page: Page, name: string, project: string) {
  expect(await seriousViolations(page), `${name}`).toEqual([]);
  for (const [width, label] of [
    [1280, 'wide'],
    [390, 'phone'],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `.artifacts/screens/page-${name}-${label}-${project}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousViolations(page), `${name}, dark`).toEqual([]);
  await page.screenshot({ path: `.artifacts/screens/page-${name}-wide-dark-${project}.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
}

test('every page passes axe-core', async ({ page, javaScriptEnabled }, info) => {
  test.skip(!javaScriptEnabled, 'axe-core runs as a script in the page');
  const project = info.project.name;
  await page.goto(`${kh.url}/setup`);
  await expect(page.getByRole('heading', { name: 'Admin account' })).toBeVisible();
  await checkPage(page, 'setup-admin', project);
  await page.getByLabel('Username', { exact: true }).fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('admin password 1');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await expect(page.getByRole('heading', { name: 'SSH key', level: 2 })).toBeVisible();
  await checkPage(page, 'setup-key', project);
  await page.getByRole('button', { name: 'Generate system key' }).click();
  await expect(page.getByLabel(/^Public key/)).toHaveValue(/^ssh-ed25519/);
  await checkPage(page, 'setup-key-ready', project);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { name: 'First connection', level: 2 })).toBeVisible();
  await checkPage(page, 'setup-connection', project);

  for (const path of PAGES) {
    await page.goto(`${kh.url}${path}`);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await checkPage(page, path === '/' ? 'dashboard' : path.replace('/settings/', ''), project);
  }
  await page.goto(`${kh.url}/setup`);
  await page.getByRole('button', { name: 'Skip this step' }).click();
  await expect(page.getByRole('heading', { name: 'Keyhaven is set up' })).toBeVisible();
  await checkPage(page, 'setup-done', project);

  await page.context().clearCookies();
  await page.goto(`${kh.url}/login`);
  await checkPage(page, 'login', project);
});
