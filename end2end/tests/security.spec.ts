// The trust boundary, attacked as a review found it open, against the release binary on SQLite and
// (when the test command started one) PostgreSQL. Each request here once succeeded; now each gets
// the refusal the issue names.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures';
import { freshPostgresUrl, startKeyhaven, type Keyhaven } from './server';

const repoRoot = resolve(__dirname, '..', '..');
const PW = 'admin password 1';

const engines: [string, () => Record<string, string> | null][] = [
  ['sqlite', () => ({})],
  ['postgres', () => {
    const url = freshPostgresUrl('kh_e2e');
    return url ? { KEYHAVEN_DATABASE_URL: url } : null;
  }],
];

for (const [engine, settings] of engines) {
  test.describe(`attacks on ${engine}`, () => {
    let kh: Keyhaven;
    let admin: string;
    let engineEnv: Record<string, string> = {};

    const api = (path: string, init: RequestInit & { token?: string; client?: string } = {}) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) };
      if (init.token) headers.Authorization = `Bearer ${init.token}`;
      if (init.client) headers['X-Forwarded-For'] = init.client;
      return fetch(`${kh.url}${path}`, { ...init, headers, redirect: 'manual' });
    };
    const login = async (username: string, password: string, client: string) => {
      const res = await api('/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password }), client });
      return { status: res.status, token: res.ok ? (await res.json()).access_token as string : '' };
    };

    test.beforeAll(async () => {
      const env = settings();
      test.skip(env === null, 'no PostgreSQL server was started');
      engineEnv = env ?? {};
      kh = await startKeyhaven({ ...engineEnv, KEYHAVEN_TRUSTED_PROXIES: '127.0.0.1' });
      expect((await api('/api/setup', { method: 'POST', body: JSON.stringify({ username: 'admin', password: PW }) })).status).toBe(201);
      admin = (await login('admin', PW, '198.51.100.1')).token;
      const viewer = { username: 'viewer', password: 'viewer password 1', role: 'viewer' };
      expect((await api('/api/users', { method: 'POST', body: JSON.stringify(viewer), token: admin })).status).toBe(201);
    });
    test.afterAll(async () => kh?.stop());
    test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'requests only: once is enough');

    test('a narrow token cannot reach its owner\'s role through server functions or pages', async () => {
      const made = await api('/api/tokens', { method: 'POST', token: admin, body: JSON.stringify({ name: 'script', scopes: ['read:public_key'] }) });
      const narrow = (await made.json()).api_token.token;
      const res = await fetch(`${kh.url}/rpc/create_user`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${narrow}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ username: 'mallory', password: 'mallory password', role: 'admin' }),
      });
      expect(res.status).toBe(403);
      expect((await api('/', { token: admin })).status).toBe(403);
      const users = await (await api('/api/users', { token: admin })).json();
      expect(users.users.map((u: { username: string }) => u.username)).not.toContain('mallory');
    });

    test('a burst of 40 wrong passwords gets at most 5 checks and the admin still gets in', async () => {
      const burst = await Promise.all(Array.from({ length: 40 }, () => login('viewer', 'wrong password!', '203.0.113.9')));
      const checked = burst.filter((r) => r.status === 401).length;
      expect(checked).toBeLessThanOrEqual(5);
      expect(burst.filter((r) => r.status === 429).length).toBe(40 - checked);
      expect((await login('viewer', 'viewer password 1', '198.51.100.7')).status).toBe(200);
    });

    test('a password reset ends tokens; a short-lived token cannot mint a longer one', async () => {
      const { token } = await login('viewer', 'viewer password 1', '198.51.100.8');
      const child = await api('/api/tokens', { method: 'POST', token, body: JSON.stringify({ name: 'forever', scopes: ['repo'] }) });
      expect(child.status).toBe(201);
      expect((await child.json()).api_token.expires_at).not.toBeNull();
      const users = await (await api('/api/users', { token: admin })).json();
      const id = users.users.find((u: { username: string }) => u.username === 'viewer').id;
      const reset = await api(`/api/users/${id}`, { method: 'PUT', token: admin, body: JSON.stringify({ password: 'a new password 2' }) });
      expect(reset.status).toBe(200);
      expect((await api('/api/auth/me', { token })).status).toBe(401);
    });

    test('unknown host names, far redirects, huge bodies and KDF bombs are refused', async () => {
      const rebound = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: rebind.evil.example', `${kh.url}/healthz`]);
      expect(rebound.stdout.toString()).toBe('421');
      const session = await fetch(`${kh.url}/rpc/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '198.51.100.3' },
        body: new URLSearchParams({ username: 'admin', password: PW, next: '/%09/evil.example' }),
        redirect: 'manual',
      });
      expect(session.headers.get('location')).toBe('/');
      // The server answers 413 as soon as it reads the length and stops reading: curl reports it.
      const big = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${admin}`,
        '-H', 'Content-Type: application/json', '--data-binary', '@-', `${kh.url}/api/known-hosts/import`],
        { input: JSON.stringify({ known_hosts: 'a'.repeat(2 << 20) }) });
      expect(big.stdout.toString()).toBe('413');
      const bomb = readFileSync(join(repoRoot, 'tests', 'fixtures', 'kdf_bomb_ed25519'), 'utf8');
      const started = Date.now();
      const res = await api('/api/ssh-keys', { method: 'POST', token: admin, body: JSON.stringify({ name: 'bomb', private_key: bomb, passphrase: 'secret' }) });
      expect(res.status).toBe(422);
      expect((await res.json()).detail).toContain('at most 128');
      expect(Date.now() - started).toBeLessThan(1000);
    });

    test('viewers cannot scan or read progress; the master key is not rotated beside the server', async () => {
      const { status, token } = await login('viewer', 'a new password 2', '198.51.100.9');
      expect(status).toBe(200);
      expect((await api('/api/known-hosts/scan', { method: 'POST', token, body: JSON.stringify({ host: '127.0.0.1', port: 22 }) })).status).toBe(403);
      expect((await api('/api/ssh-keys/connections/1/progress', { token })).status).toBe(403);
      const binary = process.env.KEYHAVEN_BIN ?? join(repoRoot, 'target', 'release', 'keyhaven');
      const env = { ...process.env, KEYHAVEN_DATA_DIR: kh.dataDir, ...engineEnv };
      const rotate = spawnSync(binary, ['master-key', 'rotate'], { env, cwd: repoRoot });
      expect(rotate.status).not.toBe(0);
      expect(rotate.stderr.toString() + rotate.stdout.toString()).toContain('stop it before rotating the master key');
      if (engine === 'sqlite') {
        for (const name of ['keyhaven.db', 'keyhaven.db-wal']) {
          expect(statSync(join(kh.dataDir, name)).mode & 0o777).toBe(0o600);
        }
      }
    });
  });
}

test('pages carry the security headers and still hydrate under their CSP', async ({ page, javaScriptEnabled }) => {
  const kh = await startKeyhaven();
  try {
    const violations: string[] = [];
    page.on('console', (m) => m.text().includes('Content Security Policy') && violations.push(m.text()));
    const res = await page.goto(`${kh.url}/setup`);
    const headers = res?.headers() ?? {};
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    if (javaScriptEnabled) await expect(page.locator('html[data-hydrated]')).toBeAttached();
    expect(violations).toEqual([]);
  } finally {
    await kh.stop();
  }
});
