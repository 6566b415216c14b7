import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The same connection string on another database of the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A TCP port free on the loopback interface right now, for a service a script starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface BuiltRoleOptions {
  /** The build holding apps/<role>/src/main.js (default: this one). */
  build?: string;
  /** A script to run instead of the build's apps/<role>/src/main.js, with the role as its argument. */
  entry?: string;
  /** Node flags before the entry point. */
  nodeArgs?: readonly string[];
  /** Where the role's stdout goes (a file descriptor), or nowhere. */
  stdout?: number | 'ignore';
  /** A start (topics, group join, partition loads) has taken over a minute on a busy shared machine. */
  startupTimeoutMs?: number;
}

/**
 * Starts one role of a build (`command-processor`, `projector`, `read-api`, `all-in-one`) as its
 * own process, as production runs it, with `env` plus PATH and HTTP_PORT, and resolves once its
 * startup probe answers 200. A role that exits or does not start in time is an error (and is killed).
 */
export async function startBuiltRole(
  role: string,
  env: Record<string, string | undefined>,
  port: number,
  options: BuiltRoleOptions = {},
): Promise<ChildProcess> {
  const build = options.build ?? join(__dirname, '..');
  const entry = options.entry ? [options.entry, role] : [join(build, 'apps', role, 'src', 'main.js')];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    env: { PATH: process.env.PATH, ...env, HTTP_PORT: String(port) },
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit'],
  });
  const timeoutMs = options.startupTimeoutMs ?? 120_000;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const status = await fetch(`http://127.0.0.1:${port}/health/startup`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return child;
    if (child.exitCode !== null) throw new Error(`${role} exited with ${child.exitCode} during start-up`);
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${role} did not start within ${timeoutMs / 1000} s`);
}

/** SIGTERM, as Kubernetes stops a pod; SIGKILL if it has not exited 15 s later. */
export async function stopBuiltRole(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
