// Starts the release build of Keyhaven on a free loopback port with an empty data dir.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..');
const binary = process.env.KEYHAVEN_BIN ?? join(repoRoot, 'target', 'release', 'keyhaven');

export interface Keyhaven {
  url: string;
  dataDir: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`keyhaven exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('keyhaven did not answer /healthz within 30 s');
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((ok) => {
    if (child.exitCode !== null) return ok();
    child.once('exit', () => ok());
    child.kill('SIGTERM');
  });
}

/** Starts Keyhaven; `env` adds settings (`KEYHAVEN_DATABASE_URL`, `KEYHAVEN_TRUSTED_PROXIES`, …). */
export async function startKeyhaven(env: Record<string, string> = {}): Promise<Keyhaven> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'keyhaven-e2e-'));
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const child = spawn(binary, ['serve'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        KEYHAVEN_DATA_DIR: dataDir,
        KEYHAVEN_LISTEN: `127.0.0.1:${port}`,
        KEYHAVEN_LOG: 'warn',
        ...env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitForHealth(url, child);
    return child;
  };
  let child = await launch();
  return {
    url,
    dataDir,
    async restart() {
      await stopChild(child);
      child = await launch();
    },
    async stop() {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the test command's PostgreSQL server (`KEYHAVEN_TEST_POSTGRES_URL`), or
 * null when none runs. */
export function freshPostgresUrl(prefix: string): string | null {
  const base = process.env.KEYHAVEN_TEST_POSTGRES_URL;
  if (!base) return null;
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  execFileSync('psql', [base, '-q', '-c', `CREATE DATABASE ${name}`]);
  return `${base.slice(0, base.lastIndexOf('/'))}/${name}`;
}
