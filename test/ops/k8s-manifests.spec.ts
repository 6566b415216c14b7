import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, environmentVariableNames, loadConfig, ServiceRole } from '@vinsight/config';
import { unknownFieldErrors } from './support/k8s-field-check';
import { K8sObject, kustomizationDirectory, kustomize, readYamlDocuments, strategicMerge } from './support/kustomize';

const ROOT = join(__dirname, '..', '..');
const K8S = kustomizationDirectory();
const ROLES = ['command-processor', 'projector', 'read-api'] as const;
type Role = (typeof ROLES)[number];
/** Roles that consume Kafka partitions: scaled on their lag, never past the partition count. */
const CONSUMER_ROLES: readonly Role[] = ['command-processor', 'projector'];
const CONFIG_ROLE: Record<Role, ServiceRole> = { 'command-processor': 'command-processor', projector: 'projector', 'read-api': 'read-api' };

/** Schema errors per object, from the Kubernetes OpenAPI schemas bundled in kubernetes-models. */
function schemaErrors(objects: K8sObject[]): string[] {
  const output = execFileSync(process.execPath, [join(__dirname, 'support', 'validate-k8s-schemas.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return (JSON.parse(output) as { kind: string; name: string; errors: string[] }[]).flatMap((r) =>
    r.errors.map((e) => `${r.kind}/${r.name}: ${e}`),
  );
}

function yamlFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith('.yaml') ? [path] : [];
  });
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} missing`);
  return found;
};
const container = (deployment: K8sObject) => deployment.spec.template.spec.containers[0];

const secretExample = readYamlDocuments(join(K8S, 'base', 'secret.example.yaml'))[0];

describe.each([
  ['base', kustomize(join(K8S, 'base'))],
  ['production', kustomize(join(K8S, 'overlays', 'production'))],
])('deploy/k8s %s, rendered', (variant, objects) => {
  const config = find(objects, 'ConfigMap', 'vinsight-core-config').data as Record<string, string>;
  const deployments = Object.fromEntries(ROLES.map((role) => [role, find(objects, 'Deployment', `vinsight-${role}`)])) as Record<
    Role,
    K8sObject
  >;
  const autoscaler = (role: Role) =>
    find(objects, CONSUMER_ROLES.includes(role) ? 'ScaledObject' : 'HorizontalPodAutoscaler', `vinsight-${role}`);

  it('validates against the Kubernetes schemas', () => {
    expect(schemaErrors(objects)).toEqual([]);
  });

  it('uses no field Kubernetes does not define', () => {
    expect(unknownFieldErrors(objects)).toEqual([]);
  });

  it('has a Deployment, a PodDisruptionBudget and an autoscaler per role, and the migration Job', () => {
    for (const role of ROLES) {
      const labels = deployments[role].spec.template.metadata.labels;
      expect(deployments[role].spec.selector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'vinsight-core',
        'app.kubernetes.io/component': role,
      });
      expect(labels).toMatchObject(deployments[role].spec.selector.matchLabels);
      const pdb = find(objects, 'PodDisruptionBudget', `vinsight-${role}`);
      expect(pdb.spec.selector.matchLabels).toEqual(deployments[role].spec.selector.matchLabels);
      const scaler = autoscaler(role);
      expect(scaler.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: `vinsight-${role}` });
      // A PDB allowing one pod down needs at least two pods to leave one serving.
      expect(scaler.spec.minReplicas ?? scaler.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
      expect(deployments[role].spec.replicas).toBeUndefined();
    }
    expect(byKind(objects, 'Job').map((j) => j.metadata.name)).toEqual(['vinsight-core-migrate']);
  });

  it('never scales a consumer role past the partition count', () => {
    for (const role of CONSUMER_ROLES) {
      expect(autoscaler(role).spec.maxReplicaCount).toBeLessThanOrEqual(Number(config.KAFKA_PARTITIONS));
    }
  });

  it('scales the consumer roles on their consumer group lag (KEDA), the read API on CPU', () => {
    for (const role of CONSUMER_ROLES) {
      const scaler = autoscaler(role);
      expect(scaler.spec.triggers).toEqual([
        expect.objectContaining({
          type: 'prometheus',
          metadata: expect.objectContaining({ query: `sum(vinsight_consumer_lag{group="${config.KAFKA_CLIENT_ID}.${role}"})` }),
        }),
      ]);
      // KEDA's own HPA, named like the Deployment; a CPU HPA beside it would fight it.
      expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === `vinsight-${role}`)).toEqual([]);
    }
    expect(autoscaler('read-api').spec.metrics[0].resource.name).toBe('cpu');
  });

  it('lets Prometheus scrape every role through a ServiceMonitor', () => {
    const monitor = find(objects, 'ServiceMonitor', 'vinsight-core');
    const service = objects.find(
      (o) => o.kind === 'Service' && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v),
    )!;
    expect(service.metadata.name).toBe('vinsight-core-metrics');
    for (const role of ROLES) {
      const labels = deployments[role].spec.template.metadata.labels;
      expect(Object.entries(service.spec.selector).every(([k, v]) => labels[k] === v)).toBe(true);
    }
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: service.spec.ports[0].name, path: '/metrics' })]);
  });

  it('admits HTTP only from the gateway and Prometheus, and lets pods reach only Kafka, Postgres and DNS', () => {
    const policy = find(objects, 'NetworkPolicy', 'vinsight-core');
    for (const role of ROLES) {
      const labels = deployments[role].spec.template.metadata.labels;
      expect(Object.entries(policy.spec.podSelector.matchLabels).every(([k, v]) => labels[k] === v)).toBe(true);
    }
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const peers = (rules: { from?: unknown[]; to?: unknown[] }[]) =>
      rules
        .flatMap((r) => (r.from ?? r.to ?? []) as { namespaceSelector?: { matchLabels: Record<string, string> } }[])
        .map((p) => p.namespaceSelector?.matchLabels['kubernetes.io/metadata.name']);
    expect(policy.spec.ingress).toHaveLength(1);
    expect(peers(policy.spec.ingress).sort()).toEqual(['gateway', 'monitoring']);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(peers(policy.spec.egress).sort()).toEqual(['kafka', 'kube-system', 'postgres']);
    const egressPorts = policy.spec.egress.flatMap((r: { ports: { port: number }[] }) => r.ports.map((p) => p.port));
    expect([...new Set(egressPorts)].sort()).toEqual([53, 5432, 9092, 9093]);
  });

  it.each(ROLES)('runs %s from its entry point with the three probes on the HTTP port', (role) => {
    const c = container(deployments[role]);
    expect(c.command[0]).toBe('node');
    const entry = c.command[c.command.length - 1];
    expect(entry).toBe(`dist/apps/${role}/src/main.js`);
    expect(existsSync(join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    expect(c.ports).toEqual([{ name: 'http', containerPort: Number(config.HTTP_PORT), protocol: 'TCP' }]);
    expect(c.startupProbe.httpGet).toEqual({ path: '/health/startup', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    // A probe must outlast the checks it runs in parallel (each bounded by HEALTH_CHECK_TIMEOUT_MS).
    expect(c.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(Number(config.HEALTH_CHECK_TIMEOUT_MS));
    expect(deployments[role].spec.template.metadata.annotations['prometheus.io/port']).toBe(config.HTTP_PORT);
  });

  it.each(ROLES)('runs %s as non-root on a read-only root filesystem with nothing added', (role) => {
    const pod = deployments[role].spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container(deployments[role]).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    // The personal-data keys only where personal data is sealed or opened: never in the read API.
    const sealsOrOpens = CONSUMER_ROLES.includes(role);
    expect(container(deployments[role]).volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'kafka-client', mountPath: '/etc/vinsight/kafka', readOnly: true },
      { name: 'postgres-ca', mountPath: '/etc/vinsight/postgres', readOnly: true },
      ...(sealsOrOpens ? [{ name: 'personal-data-keys', mountPath: '/etc/vinsight/personal-data', readOnly: true }] : []),
    ]);
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: expect.any(Object) },
      { name: 'kafka-client', secret: { secretName: 'vinsight-kafka-client', defaultMode: 0o440 /* 288 */ } },
      { name: 'postgres-ca', secret: { secretName: 'vinsight-postgres-ca', defaultMode: 0o440 /* 288 */ } },
      ...(sealsOrOpens
        ? [{ name: 'personal-data-keys', secret: { secretName: 'vinsight-personal-data-keys', defaultMode: 0o440 /* 288 */ } }]
        : []),
    ]);
  });

  it.each(ROLES)('gives %s resources whose heap and liveness limits fit inside', (role) => {
    const c = container(deployments[role]);
    expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    const memoryMiB = (quantity: string) => Number(/^(\d+)(Mi|Gi)$/.exec(quantity)![1]) * (quantity.endsWith('Gi') ? 1024 : 1);
    const heapMiB = Number(/^--max-old-space-size=(\d+)$/.exec(c.command[1])![1]);
    // The young generation is three semi-spaces (V8's default semi-space: 16 MiB).
    const semiSpaceMiB = Number(/^--max-semi-space-size=(\d+)$/.exec(c.command[2])?.[1] ?? 16);
    expect(heapMiB + 3 * semiSpaceMiB).toBeLessThan(memoryMiB(c.resources.limits.memory));
    expect(Number(config.LIVENESS_HEAP_MAX_MB)).toBeLessThan(heapMiB);
  });

  // The Secrets' files (/etc/vinsight/...) as committed stand-ins, so libs/config can read them.
  const mounted = (value: string) => value.replaceAll('/etc/vinsight/', `${join(ROOT, 'test', 'fixtures', 'k8s-secrets')}/`);
  const roleEnvironment = (role: Role): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(config)) env[name] = mounted(value);
    for (const variable of container(deployments[role]).env ?? [])
      env[variable.name] = mounted(secretExample.stringData[variable.valueFrom.secretKeyRef.key]);
    return env;
  };

  it.each(ROLES)('lets %s drain within its termination grace', (role) => {
    const pod = deployments[role].spec.template.spec;
    const preStop = container(deployments[role]).lifecycle?.preStop?.exec?.command;
    const pauseMs = preStop ? Number(preStop[1]) * 1000 : 0;
    // What the role itself will take: its drain delay (read API only) and then its grace.
    const settings = loadConfig([CONFIG_ROLE[role]], roleEnvironment(role));
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(pauseMs + settings.shutdownDrainDelayMs + settings.shutdownGraceMs);
  });

  it('keeps the read API serving after SIGTERM until its endpoints are gone', () => {
    expect(loadConfig(['read-api'], roleEnvironment('read-api')).shutdownDrainDelayMs).toBeGreaterThanOrEqual(5000);
  });

  it('routes the read API Service to the read API pods', () => {
    const service = find(objects, 'Service', 'vinsight-read-api');
    expect(service.spec.selector).toEqual(deployments['read-api'].spec.selector.matchLabels);
    expect(service.spec.ports[0].targetPort).toBe('http');
  });

  it('reads only variables libs/config knows, from a ConfigMap and a Secret that have them', () => {
    const known = new Set(environmentVariableNames());
    expect(Object.keys(config).filter((name) => !known.has(name))).toEqual([]);
    const pods = [...Object.values(deployments), find(objects, 'Job', 'vinsight-core-migrate')].map((o) => o.spec.template.spec);
    for (const pod of pods) {
      for (const c of pod.containers) {
        for (const source of c.envFrom ?? []) expect(source.configMapRef.name).toBe('vinsight-core-config');
        for (const variable of c.env ?? []) {
          expect(known.has(variable.name)).toBe(true);
          const secretRef = variable.valueFrom?.secretKeyRef;
          const configRef = variable.valueFrom?.configMapKeyRef;
          if (secretRef) {
            expect(secretRef.name).toBe(secretExample.metadata.name);
            expect(Object.keys(secretExample.stringData)).toContain(secretRef.key);
          }
          if (configRef) {
            expect(configRef.name).toBe('vinsight-core-config');
            expect(Object.keys(config)).toContain(configRef.key);
          }
        }
      }
    }
  });

  it('mounts, from the Secret vinsight-personal-data-keys, every key file the ConfigMap names', () => {
    const keys = readYamlDocuments(join(K8S, 'base', 'secret.example.yaml')).find(
      (o) => o.metadata.name === 'vinsight-personal-data-keys',
    )!;
    const files = ['DATA_KEY_ENCRYPTION_KEY_FILE', 'DATA_KEY_ENCRYPTION_KEYS_PREVIOUS_FILE', 'EMAIL_HASH_KEY_FILE'].map(
      (name) => config[name],
    );
    for (const file of files) {
      expect(file).toMatch(/^\/etc\/vinsight\/personal-data\//);
      expect(Object.keys(keys.stringData)).toContain(file.slice('/etc/vinsight/personal-data/'.length));
    }
  });

  it.each(ROLES)('gives %s a configuration libs/config accepts, without the owner credentials', (role) => {
    const env = roleEnvironment(role);
    expect(env.DATABASE_URL).toBeUndefined();
    let problems: unknown = [];
    try {
      loadConfig([CONFIG_ROLE[role]], env);
    } catch (error) {
      problems = error instanceof ConfigError ? error.problems : error;
    }
    expect(problems).toEqual([]);
  });

  it('sets no test-only fault injection', () => {
    const containers = [...Object.values(deployments), find(objects, 'Job', 'vinsight-core-migrate')].flatMap(
      (o) => o.spec.template.spec.containers,
    );
    const names = [...Object.keys(config), ...containers.flatMap((c: { env?: { name: string }[] }) => (c.env ?? []).map((v) => v.name))];
    expect(names.filter((name) => name.startsWith('FAULT_INJECTION_'))).toEqual([]);
  });

  it('migrates with the migrator CLI and the owner role only', () => {
    const job = find(objects, 'Job', 'vinsight-core-migrate');
    const c = job.spec.template.spec.containers[0];
    expect(c.command).toEqual(['node', 'dist/libs/database/src/migrator/migrate.cli.js', 'up']);
    expect(existsSync(join(ROOT, 'libs/database/src/migrator/migrate.cli.ts'))).toBe(true);
    expect(c.env.map((e: { name: string }) => e.name).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  if (variant === 'production') {
    it('puts everything in the vinsight namespace under the restricted Pod Security Standard, with a pinned image', () => {
      const namespace = find(objects, 'Namespace', 'vinsight');
      expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      for (const o of objects.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe('vinsight');
      for (const o of [...Object.values(deployments), find(objects, 'Job', 'vinsight-core-migrate')]) {
        expect(o.spec.template.spec.containers[0].image).toMatch(/^ghcr\.io\/v-insight\/core:\d+\.\d+\.\d+$/);
      }
      expect(config.KAFKA_REPLICATION_FACTOR).toBe('3');
      expect(config.KAFKA_MIN_INSYNC_REPLICAS).toBe('2');
    });
  }
});

describe('deploy/k8s files one by one', () => {
  const files = yamlFiles(K8S).filter((path) => !path.endsWith('kustomization.yaml') && !path.endsWith('.patch.yaml'));

  // One schema run and one type check for all files: each costs a second or two to start.
  it('each validates against the Kubernetes schemas and uses only fields Kubernetes defines', () => {
    const objects = files.flatMap((path) => {
      const documents = readYamlDocuments(path);
      if (documents.length === 0) throw new Error(`${relative(K8S, path)} holds no object`);
      return documents;
    });
    expect(files.map((path) => relative(K8S, path))).toEqual(
      expect.arrayContaining(['base/secret.example.yaml', 'overlays/production/namespace.yaml']),
    );
    expect(schemaErrors(objects)).toEqual([]);
    expect(unknownFieldErrors(objects)).toEqual([]);
  });

  it('patches only what exists in the base', () => {
    expect(() => kustomize(join(K8S, 'overlays', 'production'))).not.toThrow();
  });
});

describe('the manifest checks themselves', () => {
  const deployment = kustomize(join(K8S, 'base')).find((o) => o.kind === 'Deployment')!;

  it('catch a schema violation', () => {
    const broken = strategicMerge(deployment, {
      spec: {
        template: {
          spec: { containers: [{ name: container(deployment).name, ports: [{ name: 'http', containerPort: 'three thousand' }] }] },
        },
      },
    }) as K8sObject;
    expect(schemaErrors([broken])).toEqual([expect.stringContaining('containerPort must be integer')]);
  });

  it('catch a misspelt field, which the schemas alone would let through', () => {
    const misspelt = strategicMerge(deployment, {
      spec: {
        template: { spec: { containers: [{ name: container(deployment).name, readinesProbe: { httpGet: { path: '/x', port: 1 } } }] } },
      },
    }) as K8sObject;
    expect(schemaErrors([misspelt])).toEqual([]);
    expect(unknownFieldErrors([misspelt]).join('\n')).toMatch(/readinesProbe/);
  });

  it('merge lists of named items by name and replace other lists', () => {
    expect(
      strategicMerge({ c: [{ name: 'a', x: 1 }, { name: 'b' }], l: [1, 2] }, { c: [{ name: 'a', y: 2 }, { name: 'n' }], l: [3] }),
    ).toEqual({
      c: [{ name: 'a', x: 1, y: 2 }, { name: 'b' }, { name: 'n' }],
      l: [3],
    });
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in one stage and runs from another, as a numeric non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages[stages.length - 1];
    expect(runtime).toMatch(/^USER (\d+):(\d+)$/m);
    expect(Number(/^USER (\d+)/m.exec(runtime)![1])).toBeGreaterThan(0);
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^COPY migrations \.\/migrations$/m);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it("installs without running dependencies' install scripts and prunes dev dependencies", () => {
    expect(stages[0]).toMatch(/npm ci [^\n]*--ignore-scripts/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
  });
});
