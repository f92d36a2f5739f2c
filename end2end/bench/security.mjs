// Security benchmark (issue #20), one run against a release Keyhaven on SQLite:
//  1. a burst of 40 parallel wrong-password logins for one account from one client: how many
//     passwords were checked (each checked failure is one `login.failed` audit row; target <= 5);
//  2. peak memory while 400 different clients log in at once (the server's VmHWM against its idle
//     VmRSS; target < 2 x idle + 100 MB), and how those 400 were answered;
//  3. requests per second of a signed-in page (wrk, 16 connections) alone, then while 1,000
//     throttled logins keep arriving; the second over the first is the ratio (target >= 0.8).
// Clients are told apart by X-Forwarded-For from a trusted proxy (the benchmark is that proxy).
// Installs Debian's wrk when missing. Run after `cargo leptos build --release --split`:
//   node end2end/bench/security.mjs
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { start } from './server.mjs';

const PW = 'admin password 1';
const PAGE = '/settings/tokens';
const SECONDS = 8;

try {
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (e) {
  if (e.code === 'ENOENT') execFileSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'inherit' });
}

const kh = await start({ KEYHAVEN_TRUSTED_PROXIES: '127.0.0.1' });
const kb = (field) => {
  const line = readFileSync(`/proc/${kh.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field));
  return Number(line.split(/\s+/)[1]);
};

function login(client, password) {
  return fetch(`${kh.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body: JSON.stringify({ username: 'admin', password }),
  }).then((r) => r.status);
}

const count = (statuses) => statuses.reduce((m, s) => ((m[s] = (m[s] ?? 0) + 1), m), {});

function wrk(cookie) {
  const out = execFileSync('wrk', ['-t2', '-c16', `-d${SECONDS}s`, '-H', `Cookie: ${cookie}`, `${kh.url}${PAGE}`]).toString();
  if (/Non-2xx/.test(out)) throw new Error(`wrk saw failed requests\n${out}`);
  return Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
}

try {
  await fetch(`${kh.url}/api/setup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PW }),
  });
  const tokenRes = await fetch(`${kh.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '198.51.100.1' },
    body: JSON.stringify({ username: 'admin', password: PW }),
  });
  const { access_token: token } = await tokenRes.json();
  const sessionRes = await fetch(`${kh.url}/rpc/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': '198.51.100.2' },
    body: new URLSearchParams({ username: 'admin', password: PW }),
    redirect: 'manual',
  });
  const cookie = sessionRes.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('keyhaven_session='));

  // 1. The burst.
  const burst = await Promise.all(Array.from({ length: 40 }, () => login('203.0.113.66', 'wrong password!')));
  const audit = await fetch(`${kh.url}/api/audit?action=login.failed&per_page=100`, {
    headers: { Authorization: `Bearer ${token}` },
  }).then((r) => r.json());
  const checked = (audit.entries ?? []).length;
  console.log(`1. burst of 40 parallel wrong passwords: ${checked} checked (target <= 5) ${checked <= 5 ? 'MET' : 'MISSED'}; answers ${JSON.stringify(count(burst))}`);

  // 2. Memory during 400 parallel logins from 400 clients.
  const idle = kb('VmRSS:');
  const many = await Promise.all(
    Array.from({ length: 400 }, (_, i) => login(`10.${(i >> 8) & 255}.${i & 255}.7`, i % 2 ? PW : 'wrong password!')),
  );
  const peak = kb('VmHWM:');
  const limit = 2 * idle + 100 * 1024;
  console.log(
    `2. 400 parallel logins: peak RSS ${(peak / 1024).toFixed(0)} MB, idle ${(idle / 1024).toFixed(0)} MB, ` +
      `limit ${(limit / 1024).toFixed(0)} MB ${peak < limit ? 'MET' : 'MISSED'}; answers ${JSON.stringify(count(many))}`,
  );

  // 3. A signed-in page alone, then under a flood of throttled logins.
  const alone = wrk(cookie);
  // 1,000 throttled logins spread over the measured window, 25 at a time.
  let flooded = 0;
  const flood = (async () => {
    for (let sent = 0; sent < 1000; sent += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, () => login('203.0.113.66', 'wrong password!')));
      flooded += batch.filter((s) => s === 429).length;
      await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 40));
    }
  })();
  const floodedWrk = await new Promise((ok) => {
    const child = spawn('wrk', ['-t2', '-c16', `-d${SECONDS}s`, '-H', `Cookie: ${cookie}`, `${kh.url}${PAGE}`]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', () => ok(Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1])));
  });
  await flood;
  const ratio = floodedWrk / alone;
  console.log(
    `3. ${PAGE}: ${alone.toFixed(0)} req/s alone, ${floodedWrk.toFixed(0)} req/s during ${flooded} throttled logins ` +
      `answered 429: ratio ${ratio.toFixed(2)} (target >= 0.8) ${ratio >= 0.8 ? 'MET' : 'MISSED'}`,
  );
} finally {
  kh.stop();
}
