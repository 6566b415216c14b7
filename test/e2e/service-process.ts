import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testEnv } from '../test-env';

export type Role = 'command-processor' | 'projector' | 'read-api' | 'all-in-one';

const ROOT = join(__dirname, '..', '..');

export function roleEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    DATABASE_URL: testEnv.ownerUrl,
    PROJECTOR_DATABASE_URL: testEnv.projectorUrl,
    ...testEnv.personalDataEnvironment,
    API_DATABASE_URL: testEnv.apiUrl,
    KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
    ...testEnv.kafkaSecurityEnvironment,
    ...overrides,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A built role (dist/) running as a real child process, as Kubernetes would run it. */
export class ServiceProcess {
  private output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk) => (this.output += chunk));
    child.stderr?.on('data', (chunk) => (this.output += chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(role: Role, env: Record<string, string>, port: number): ServiceProcess {
    const child = spawn(process.execPath, [join(ROOT, process.env.VINSIGHT_DIST ?? 'dist', 'apps', role, 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...env, HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child, port);
  }

  get logs(): string {
    return this.output;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves once `path` answers 200; rejects if the process exits first or time runs out. */
  async waitFor(path: string, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`process exited with ${exitCode}:\n${this.output}`);
      try {
        const response = await fetch(this.url(path));
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${path} not 200 within ${timeoutMs} ms:\n${this.output}`);
  }

  /** kill -9: no shutdown hook runs, exactly like a node that dies. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
