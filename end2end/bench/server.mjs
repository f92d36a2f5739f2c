// Starting a release Keyhaven for a benchmark: a free port, an empty data dir, extra settings.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const freePort = () =>
  new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

/** Starts the server (KEYHAVEN_BENCH_BIN, else target/release/keyhaven) with `env` added. */
export async function start(env = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'keyhaven-bench-'));
  // KEYHAVEN_BENCH_BIN measures another build, for an A/B of a build setting.
  const bin = process.env.KEYHAVEN_BENCH_BIN ?? join(root, 'target', 'release', 'keyhaven');
  const child = spawn(bin, ['serve'], {
    cwd: root,
    env: { ...process.env, KEYHAVEN_DATA_DIR: dataDir, KEYHAVEN_LISTEN: `127.0.0.1:${port}`, KEYHAVEN_LOG: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid, stop: () => (child.kill('SIGTERM'), rmSync(dataDir, { recursive: true, force: true })) };
}
