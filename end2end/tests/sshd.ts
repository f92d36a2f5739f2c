// A real OpenSSH sshd on a loopback port for browser tests, with a fresh shell user that has a
// password (root only: the test command runs as root). Stopped by its pid, never by name.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sshd {
  port: number;
  user: string;
  password: string;
  /** `SHA256:…` of the ed25519 host key the server offers now. */
  fingerprint(): string;
  /** Password logins sshd saw for the user, accepted or failed (from its log). */
  passwordAttempts(): number;
  /** Restarts on the same port with a new host key (a reinstalled host). */
  newHostKey(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  const { connect } = await import('node:net');
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}`);
}

export async function startSshd(port: number): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'kh-e2e-sshd-'));
  mkdirSync('/run/sshd', { recursive: true });
  const user = `khe2e${Date.now().toString(36)}`;
  const password = `pw ${user} 1`;
  execFileSync('useradd', ['-m', '-s', '/bin/sh', user]);
  execFileSync('chpasswd', { input: `${user}:${password}\n` });
  const hostKey = join(dir, 'host_ed25519');
  const makeKey = () => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey, '-C', 'e2e-host']);
  makeKey();
  writeFileSync(
    join(dir, 'sshd_config'),
    `Port ${port}\nListenAddress 127.0.0.1\nHostKey ${hostKey}\nPidFile ${dir}/sshd.pid\nUsePAM no\n` +
      `PasswordAuthentication yes\nKbdInteractiveAuthentication no\nSubsystem sftp internal-sftp\n`,
  );
  let child: ChildProcess;
  const launch = async () => {
    child = spawn('/usr/sbin/sshd', ['-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], {
      stdio: 'ignore',
    });
    await waitForPort(port);
  };
  const stopChild = () =>
    new Promise<void>((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
    });
  await launch();
  return {
    port,
    user,
    password,
    fingerprint: () => execFileSync('ssh-keygen', ['-l', '-f', `${hostKey}.pub`]).toString().split(' ')[1],
    passwordAttempts() {
      const log = join(dir, 'sshd.log');
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      return (text.match(new RegExp(`(Accepted|Failed) password for ${user} `, 'g')) ?? []).length;
    },
    async newHostKey() {
      await stopChild();
      execFileSync('rm', ['-f', hostKey, `${hostKey}.pub`]);
      makeKey();
      await launch();
    },
    async stop() {
      await stopChild();
      try {
        execFileSync('userdel', ['-r', user], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    },
  };
}
