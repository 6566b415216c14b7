import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Proves that the rules of .dependency-cruiser.js bite: a throw-away tree laid out like this
 * repository (apps/, libs/, tsconfig "paths" aliases, the real node_modules) breaks each rule once,
 * next to files that keep to them, and dependency-cruiser must name exactly the breaking imports.
 */
const ROOT = join(__dirname, '..', '..');
const RUNNER = join(__dirname, 'depcruise-runner.mjs');

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

const FIXTURE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'commonjs',
      moduleResolution: 'node',
      target: 'ES2022',
      strict: true,
      baseUrl: './',
      paths: {
        '@vinsight/domain': ['libs/domain/src'],
        '@vinsight/contracts': ['libs/contracts/src'],
        '@vinsight/config': ['libs/config/src'],
        '@vinsight/kafka': ['libs/kafka/src'],
        '@vinsight/database': ['libs/database/src'],
        '@vinsight/read-api': ['libs/read-api/src'],
      },
    },
  }),
  // ---- allowed ----
  'libs/domain/src/index.ts': "export * from './monitor.decider';\n",
  'libs/domain/src/monitor.decider.ts': "import { PLANS } from './plans';\nexport const decide = () => PLANS;\n",
  'libs/domain/src/plans.ts': "export const PLANS = ['free'] as const;\n",
  'libs/contracts/src/index.ts':
    "import 'reflect-metadata';\nimport { IsString } from 'class-validator';\nimport { Transform } from 'class-transformer';\n" +
    "import { JSONSchema } from 'class-validator-jsonschema';\nimport { randomUUID } from 'node:crypto';\nimport { decide } from '@vinsight/domain';\n" +
    'export { IsString, Transform, JSONSchema, randomUUID, decide };\n',
  'libs/config/src/index.ts': 'export const config = {};\n',
  'libs/kafka/src/index.ts': "import { Kafka } from 'kafkajs';\nimport { decide } from '@vinsight/domain';\nexport { Kafka, decide };\n",
  'libs/database/src/index.ts': "import { PrismaClient } from '@prisma/client';\nexport { PrismaClient };\n",
  'libs/read-api/src/monitors.repository.ts': "import type { PrismaClient } from '@prisma/client';\nexport type Client = PrismaClient;\n",
  'apps/api/src/main.ts':
    "import { Kafka } from '@vinsight/kafka';\nimport { config } from '@vinsight/config';\nexport { Kafka, config };\n",
  'test/helpers.ts': 'export const fixture = {};\n',
  'libs/kafka/src/ping.spec.ts':
    "import { fixture } from '../../../test/helpers';\nimport { ping } from './ping';\nexport { fixture, ping };\n",
  'libs/kafka/src/ping.int-spec.ts': "import { fixture } from '../../../test/helpers';\nexport { fixture };\n",
  // ---- each breaks one rule ----
  'libs/domain/src/uses-nest.ts': "import { Injectable } from '@nestjs/common';\nexport { Injectable };\n",
  'libs/domain/src/uses-pg-types.ts': "import type { Pool } from 'pg';\nexport type P = Pool;\n",
  'libs/domain/src/uses-validator.ts': "import { IsString } from 'class-validator';\nexport { IsString };\n",
  'libs/domain/src/uses-crypto.ts': "import { randomUUID } from 'node:crypto';\nexport const id = () => randomUUID();\n",
  'libs/domain/src/uses-kafka-lib.ts': "import { Kafka } from '@vinsight/kafka';\nexport { Kafka };\n",
  'libs/domain/src/uses-prisma.ts': "import { PrismaClient } from '@prisma/client';\nexport { PrismaClient };\n",
  'libs/contracts/src/uses-config.ts': "import { config } from '@vinsight/config';\nexport { config };\n",
  'libs/contracts/src/uses-kafkajs.ts': "import { Kafka } from 'kafkajs';\nexport { Kafka };\n",
  'libs/kafka/src/uses-app.ts': "import { config } from '../../../apps/api/src/main';\nexport { config };\n",
  'libs/read-api/src/monitors.service.ts': "import { PrismaClient } from '@prisma/client';\nexport { PrismaClient };\n",
  'libs/kafka/src/ping.ts': "import { pong } from './pong';\nexport const ping = () => pong;\n",
  'libs/kafka/src/pong.ts': "import { ping } from './ping';\nexport const pong = () => ping;\n",
  'libs/kafka/src/uses-missing.ts': "import { nothing } from './missing';\nexport { nothing };\n",
  'libs/kafka/src/uses-test.ts': "import { fixture } from '../../../test/helpers';\nexport { fixture };\n",
  'apps/api/src/uses-test.ts': "import { fixture } from '../../../test/helpers';\nexport { fixture };\n",
  'libs/kafka/src/forgotten.ts': 'export const forgotten = 1;\n',
};

/** [rule, importing file, what it imports (a fragment of the resolved path)] */
const EXPECTED: [string, string, string][] = [
  ['domain-is-pure', 'libs/domain/src/uses-nest.ts', '@nestjs/common'],
  ['domain-is-pure', 'libs/domain/src/uses-pg-types.ts', 'pg'],
  ['domain-is-pure', 'libs/domain/src/uses-validator.ts', 'class-validator'],
  ['domain-no-platform-modules', 'libs/domain/src/uses-crypto.ts', 'crypto'],
  ['domain-is-pure', 'libs/domain/src/uses-kafka-lib.ts', 'libs/kafka/src/index.ts'],
  ['domain-is-pure', 'libs/domain/src/uses-prisma.ts', '@prisma/client'],
  ['prisma-only-in-repositories', 'libs/domain/src/uses-prisma.ts', '@prisma/client'],
  ['contracts-only-domain', 'libs/contracts/src/uses-config.ts', 'libs/config/src/index.ts'],
  ['contracts-only-validation-packages', 'libs/contracts/src/uses-kafkajs.ts', 'kafkajs'],
  ['libs-not-to-apps', 'libs/kafka/src/uses-app.ts', 'apps/api/src/main.ts'],
  ['prisma-only-in-repositories', 'libs/read-api/src/monitors.service.ts', '@prisma/client'],
  ['no-circular', 'libs/kafka/src/ping.ts', 'libs/kafka/src/pong.ts'], // a cycle is reported once
  ['not-to-unresolvable', 'libs/kafka/src/uses-missing.ts', './missing'],
  ['not-to-test', 'libs/kafka/src/uses-test.ts', 'test/helpers.ts'],
  ['not-to-test', 'apps/api/src/uses-test.ts', 'test/helpers.ts'],
  ['no-orphans', 'libs/kafka/src/forgotten.ts', 'libs/kafka/src/forgotten.ts'], // an orphan is reported as from = to
];

const run = promisify(execFile);

describe('dependency rules (.dependency-cruiser.js)', () => {
  let fixture: string;
  let violations: Violation[];

  beforeAll(async () => {
    fixture = mkdtempSync(join(tmpdir(), 'vinsight-depcruise-'));
    for (const [path, content] of Object.entries(FIXTURE)) {
      mkdirSync(dirname(join(fixture, path)), { recursive: true });
      writeFileSync(join(fixture, path), content);
    }
    symlinkSync(join(ROOT, 'node_modules'), join(fixture, 'node_modules'), 'dir');
    const { stdout } = await run(process.execPath, [RUNNER, join(ROOT, '.dependency-cruiser.js'), fixture, 'apps', 'libs'], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    violations = (JSON.parse(stdout) as { violations: Violation[] }).violations;
  }, 120_000);

  afterAll(() => {
    if (fixture) rmSync(fixture, { recursive: true, force: true });
  });

  it.each(EXPECTED)('%s: flags %s importing %s', (rule, from, to) => {
    const found = violations.filter((v) => v.rule.name === rule && v.from === from && v.to.includes(to));
    expect(found).toHaveLength(1);
    expect(found[0].rule.severity).toBe('error');
  });

  it('flags nothing else: aliases, allowed packages, repositories, libs/database and specs importing test/ pass', () => {
    const flagged = violations.map((v) => `${v.rule.name} ${v.from}`).sort();
    expect(flagged).toEqual(EXPECTED.map(([rule, from]) => `${rule} ${from}`).sort());
  });
});
