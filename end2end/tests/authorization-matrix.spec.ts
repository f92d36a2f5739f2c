// The authorization matrix against the release binary, on SQLite and (when the test command
// started one) PostgreSQL: every row of docs/authorization.md (REST routes, form posts, server
// functions, pages) called as anonymous, a viewer and an admin by browser session, another user's
// session, and a token of each scope for the viewer and the admin. A refused call must get exactly
// the rule's 401/403 (a page or form sends a signed-out browser to /login); an allowed one must not.
// Bodies are empty and ids do not exist, so nothing changes along the way.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures';
import { freshPostgresUrl, startKeyhaven, type Keyhaven } from './server';

const repoRoot = resolve(__dirname, '..', '..');
const SCOPES = ['read:public_key', 'write:public_key', 'admin:public_key', 'repo', 'admin', 'read:metrics'];
const IMPLIES: Record<string, string[]> = {
  'admin:public_key': ['admin:public_key', 'write:public_key', 'read:public_key'],
  'write:public_key': ['write:public_key', 'read:public_key'],
};

interface Row { kind: string; method: string; path: string; role: string; token: string }
interface Caller { label: string; admin: boolean; cookie?: string; bearer?: string; scope?: string }

function table(): Row[] {
  const rows: Row[] = [];
  let kind = '';
  for (const line of readFileSync(join(repoRoot, 'docs', 'authorization.md'), 'utf8').split('\n')) {
    if (line.startsWith('## ')) kind = line.slice(3).trim();
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length >= 4 && cells[1].startsWith('`')) {
      rows.push({ kind, method: cells[0], path: cells[1].replaceAll('`', ''), role: cells[2], token: cells[3] });
    }
  }
  return rows;
}

/** 401/403 as the rule promises, or null when the caller is let in. */
function promised(row: Row, caller: Caller): number | null {
  if (!caller.cookie && !caller.bearer) return row.role === 'anyone' ? null : 401;
  if (caller.scope) {
    if (row.token.startsWith('refused')) return 403;
    const needed = row.token.match(/scope `([^`]+)`/)?.[1];
    if (needed && !(IMPLIES[caller.scope] ?? [caller.scope]).includes(needed)) return 403;
  }
  return row.role === 'admin' && !caller.admin ? 403 : null;
}


for (const engine of ['sqlite', 'postgres']) {
  test(`every entry point answers every caller as its rule says (${engine})`, async ({ javaScriptEnabled }) => {
    test.skip(!javaScriptEnabled, 'requests only: once is enough');
    const pg = engine === 'postgres' ? freshPostgresUrl('kh_matrix') : null;
    test.skip(engine === 'postgres' && !pg, 'no PostgreSQL server was started');
    test.setTimeout(180_000);
    const kh: Keyhaven = await startKeyhaven(pg ? { KEYHAVEN_DATABASE_URL: pg } : {});
    try {
      const json = (path: string, body: unknown, bearer?: string) =>
        fetch(`${kh.url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
          body: JSON.stringify(body),
        });
      expect((await json('/api/setup', { username: 'admin', password: 'admin password 1' })).status).toBe(201);
      const admin = (await (await json('/api/auth/login', { username: 'admin', password: 'admin password 1' })).json()).access_token;
      for (const [username, role] of [['viewer', 'viewer'], ['other', 'admin']]) {
        expect((await json('/api/users', { username, password: `${username} password 1`, role }, admin)).status).toBe(201);
      }
      const session = async (username: string, password: string) => {
        const res = await fetch(`${kh.url}/rpc/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username, password }),
          redirect: 'manual',
        });
        return res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('keyhaven_session='));
      };
      const callers: Caller[] = [
        { label: 'anonymous', admin: false },
        { label: 'admin session', admin: true, cookie: await session('admin', 'admin password 1') },
        { label: 'viewer session', admin: false, cookie: await session('viewer', 'viewer password 1') },
        { label: 'another admin session', admin: true, cookie: await session('other', 'other password 1') },
      ];
      for (const [who, isAdmin, password] of [['admin', true, 'admin password 1'], ['viewer', false, 'viewer password 1']] as const) {
        const login = (await (await json('/api/auth/login', { username: who, password })).json()).access_token;
        for (const scope of SCOPES) {
          const made = await (await json('/api/tokens', { name: `matrix ${scope}`, scopes: [scope] }, login)).json();
          callers.push({ label: `${who} token ${scope}`, admin: isAdmin, bearer: made.api_token.token, scope });
        }
      }
      const wrong: string[] = [];
      let calls = 0;
      for (const row of table()) {
        // Signing out would end the session or token the sweep goes on with (tested on its own).
        if (row.path === '/rpc/logout' || row.path.startsWith('/api/auth/logout')) continue;
        const path = row.path
          .replaceAll('{id}', '999999')
          .replaceAll('{username}', 'nobody')
          .replaceAll('{owner}', 'nobody')
          .replaceAll('{repo}', 'nothing')
          .replaceAll('{*rest}', 'nothing/here');
        for (const caller of callers) {
          const headers: Record<string, string> = {};
          if (caller.cookie) Object.assign(headers, { Cookie: caller.cookie, 'Sec-Fetch-Site': 'same-origin' });
          if (caller.bearer) headers.Authorization = `Bearer ${caller.bearer}`;
          const method = row.method === 'ANY' ? 'GET' : row.method;
          if (row.kind === 'server function') {
            headers.Accept = 'application/json';
            if (method === 'POST') headers['Content-Type'] = 'application/x-www-form-urlencoded';
          }
          const res = await fetch(`${kh.url}${path}`, { method, headers, redirect: 'manual', body: method === 'POST' ? '' : undefined });
          calls++;
          const expected = promised(row, caller);
          const toLogin = (res.headers.get('location') ?? '').startsWith('/login');
          const ok =
            expected === null
              ? res.status !== 401 && res.status !== 403
              : expected === 401 && (row.kind === 'page' || row.kind === 'form post')
                ? toLogin
                : res.status === expected;
          if (!ok) wrong.push(`${row.method} ${row.path} as ${caller.label}: rule ${row.role}/${row.token}, got ${res.status}`);
        }
      }
      expect(calls).toBeGreaterThan(1000);
      expect(wrong).toEqual([]);
    } finally {
      await kh.stop();
    }
  });
}
