import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createScratchDatabase, ScratchDatabase } from '../projections/support/scratch-database';
import { testEnv } from '../test-env';
import { freePort, roleEnvironment, ServiceProcess } from './service-process';

const ROOT = join(__dirname, '..', '..');

/** The fenced bash block under README.md's "Quick start" heading, exactly as a reader copies it. */
export function quickStartBlock(readme: string): string {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Quick start\n'));
  if (section === undefined) throw new Error('README.md has no "## Quick start" section');
  const block = /^```bash\n([\s\S]*?)^```$/m.exec(section);
  if (block === null) throw new Error('the Quick start section has no ```bash block');
  return block[1];
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * README.md's quick start, run as written against the whole service (all roles in one process,
 * as `make up` runs it) on its own topics and database; only the API's address differs.
 */
describe('README quick start', () => {
  const prefix = `e2e-quick.${randomUUID().slice(0, 8)}.`;
  const clientId = `e2e-quick-${randomUUID().slice(0, 8)}`;
  let database: ScratchDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    database = await createScratchDatabase('quick');
    const env = roleEnvironment({
      DATABASE_URL: database.ownerUrl,
      PROJECTOR_DATABASE_URL: database.projectorUrl,
      ...testEnv.personalDataEnvironment,
      API_DATABASE_URL: database.apiUrl,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_CLIENT_ID: clientId,
      KAFKA_PARTITIONS: '3',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
    });
    service = ServiceProcess.start('all-in-one', env, await freePort());
    await service.waitFor('/health/startup', 90000);
  }, 120000);

  afterAll(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('needs no tool a fresh machine may lack', () => {
    const block = quickStartBlock(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(block).not.toMatch(/\b(jq|uuidgen|python3?)\b/);
    expect(block).toContain('curl');
  });

  it('ends with a curl that shows the monitor uptime of the check it recorded', async () => {
    const block = quickStartBlock(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const run = await bash(block, {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? ROOT,
      KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_CLIENT_ID: clientId,
      VINSIGHT_API: service.url(''),
    });
    if (run.code !== 0)
      throw new Error(
        `the quick start exited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\nservice:\n${service.logs.slice(-4000)}`,
      );
    const lastLine = run.stdout.trim().split('\n').pop() ?? '';
    const uptime = JSON.parse(lastLine);
    expect(uptime).toMatchObject({ window: '24h', totalChecks: 1, upChecks: 1, downChecks: 0, uptimePercent: 100, avgResponseTimeMs: 120 });
    expect(run.stderr).toContain('only time the token is shown');
  }, 180000);
});
