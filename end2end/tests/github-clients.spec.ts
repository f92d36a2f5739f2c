// The real GitHub clients against the release binary, with only the base URL changed: Octokit
// (@octokit/rest, npm) and PyGithub (PyPI, in end2end/.venv) under `/api/v3` as for GitHub
// Enterprise, and Debian's gh through its `github.localhost` development host. Each client
// creates 150 keys (GitHub pages of 30 and 100), lists them with its own pagination, reads one, meets a
// 422 and a 404, and manages a repository's deploy key. The browser is not needed: once, in the
// JavaScript-on project.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures';
import { startKeyhaven, type Keyhaven } from './server';

const end2end = resolve(__dirname, '..');
const KEY_COUNT = 150;

/** A Keyhaven with the admin `alice` and a token for the keys API, and a file of fresh keys. */
async function prepare(kh: Keyhaven, dir: string): Promise<{ token: string; keysFile: string }> {
  const post = (path: string, body: unknown, bearer?: string) =>
    fetch(`${kh.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
  expect((await post('/api/setup', { username: 'alice', password: 'alice password 1' })).status).toBe(201);
  const login = (await (await post('/api/auth/login', { username: 'alice', password: 'alice password 1' })).json())
    .access_token;
  const made = await post('/api/tokens', { name: 'clients', scopes: ['admin:public_key', 'repo'] }, login);
  expect(made.status).toBe(201);
  const token = (await made.json()).api_token.token;
  const lines: string[] = [];
  for (let i = 0; i < KEY_COUNT; i++) {
    const file = join(dir, `key${i}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `client${i}@test`, '-f', file]);
    lines.push(execFileSync('cat', [`${file}.pub`]).toString().trim());
  }
  const keysFile = join(dir, 'keys.txt');
  writeFileSync(keysFile, lines.join('\n') + '\n');
  return { token, keysFile };
}

async function withClient(env: Record<string, string>, run: (kh: Keyhaven, token: string, keys: string, dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'keyhaven-clients-'));
  const kh = await startKeyhaven(env);
  try {
    const { token, keysFile } = await prepare(kh, dir);
    run(kh, token, keysFile, dir);
  } finally {
    await kh.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectSuccess(result: ReturnType<typeof spawnSync>) {
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(0);
  expect(JSON.parse(String(result.stdout).trim().split('\n').pop() ?? '{}')).toEqual({ ok: true, keys: KEY_COUNT });
}

test('Octokit manages keys and deploy keys under /api/v3', async ({ javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'no browser involved: once is enough');
  test.setTimeout(120_000);
  await withClient({}, (kh, token, keys) => {
    const env = { ...process.env, KEYHAVEN_API: `${kh.url}/api/v3`, KEYHAVEN_TOKEN: token, KEYHAVEN_KEYS: keys };
    expectSuccess(spawnSync('node', [join(end2end, 'clients', 'octokit.mjs')], { env, encoding: 'utf8' }));
  });
});

test('PyGithub manages keys and deploy keys under /api/v3', async ({ javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'no browser involved: once is enough');
  test.setTimeout(120_000);
  await withClient({}, (kh, token, keys) => {
    const env = { ...process.env, KEYHAVEN_API: `${kh.url}/api/v3`, KEYHAVEN_TOKEN: token, KEYHAVEN_KEYS: keys };
    const python = join(end2end, '.venv', 'bin', 'python');
    expectSuccess(spawnSync(python, [join(end2end, 'clients', 'pygithub_calls.py')], { env, encoding: 'utf8' }));
  });
});

// gh sends `github.localhost` to http://api.github.localhost/ (its development host, plain HTTP);
// the proxy variable leads that name to Keyhaven, which allows it as a host name.
test('gh api manages keys with --paginate, and shows GitHub errors', async ({ javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'no browser involved: once is enough');
  test.setTimeout(120_000);
  await withClient({ KEYHAVEN_ALLOWED_HOSTS: 'api.github.localhost' }, (kh, token, keys, dir) => {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      GH_HOST: 'github.localhost',
      GH_TOKEN: token,
      GH_ENTERPRISE_TOKEN: token,
      GH_CONFIG_DIR: join(dir, 'gh'),
      GH_NO_UPDATE_NOTIFIER: '1',
      GH_PROMPT_DISABLED: '1',
      HTTP_PROXY: kh.url,
      http_proxy: kh.url,
      NO_PROXY: '',
      no_proxy: '',
    };
    const gh = (...args: string[]) => spawnSync('gh', ['api', ...args], { env, encoding: 'utf8' });
    const me = gh('user', '--jq', '.login');
    expect(me.stdout.trim(), me.stderr).toBe('alice');
    const lines = execFileSync('cat', [keys]).toString().trim().split('\n');
    for (const [i, key] of lines.entries()) {
      const made = gh('--method', 'POST', 'user/keys', '-f', `title=key ${i}`, '-f', `key=${key}`);
      expect(made.status, made.stderr).toBe(0);
    }
    const ids = gh('user/keys?per_page=10', '--paginate', '--jq', '.[].id');
    expect(ids.status, ids.stderr).toBe(0);
    expect(new Set(ids.stdout.trim().split('\n')).size).toBe(KEY_COUNT);
    const again = gh('--method', 'POST', 'user/keys', '-f', 'title=again', '-f', `key=${lines[0]}`);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain('Validation Failed (HTTP 422)');
    const missing = gh('repos/alice/nothing/keys');
    expect(missing.stderr).toContain('Not Found (HTTP 404)');
    // A key is either a person's or a deploy key: delete one, then use it as a deploy key.
    const first = ids.stdout.trim().split('\n')[0];
    const freed = gh(`user/keys/${first}`, '--jq', '.key').stdout.trim();
    expect(gh('--method', 'DELETE', `user/keys/${first}`).status).toBe(0);
    expect(gh('--method', 'POST', 'user/repos', '-f', 'name=Vault').status).toBe(0);
    const deploy = gh('--method', 'POST', 'repos/alice/vault/keys', '-f', 'title=ci', '-f', `key=${freed}`, '-F', 'read_only=true');
    expect(deploy.status, deploy.stderr).toBe(0);
    expect(JSON.parse(deploy.stdout).read_only).toBe(true);
    const listed = gh('repos/ALICE/Vault/keys', '--jq', '.[].title');
    expect(listed.stdout.trim()).toBe('ci');
  });
});
