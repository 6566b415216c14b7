import { randomUUID } from 'node:crypto';
import { CommandClient, CommandResultLike } from '@vinsight/kafka';
import { BCRYPT_HASH, Envelope, command, createMonitor, createTenant, recordCheck } from '../commands/commands';
import { sha256 } from './read-api.fixtures';

const MINUTE = 60 * 1000;

export interface ScenarioCheck {
  id: string;
  monitorId: string;
  status: 'up' | 'down' | 'error';
  responseTimeMs: number;
  checkedAt: Date;
}

/**
 * One tenant's world, produced only through Kafka commands (the command processor decides, the
 * projector writes the read models), with what each command should have produced recorded for
 * the assertions. Checks are dated relative to `now`, minutes apart, in the order they are sent.
 */
export class KafkaTenantScenario {
  readonly tenantId = randomUUID();
  readonly slug = `rk-${this.tenantId.slice(0, 8)}`;
  readonly token = `vik_${randomUUID()}`;
  readonly apiKeyId = randomUUID();
  readonly checks: ScenarioCheck[] = [];
  /** Position of the latest accepted command: the X-Consistency-Token of the next read. */
  position = '';

  constructor(
    private readonly client: CommandClient,
    readonly now: Date,
  ) {}

  minutesAgo(minutes: number): Date {
    return new Date(this.now.getTime() - minutes * MINUTE);
  }

  /** Publishes the command and returns its accepted result; a rejection fails the test. */
  async accept(envelope: Envelope): Promise<CommandResultLike> {
    const result = await this.client.execute({ issuedBy: 'read-api-e2e', ...envelope });
    if (result.status !== 'accepted') throw new Error(`${envelope.type} was rejected: ${JSON.stringify(result.error)}`);
    this.position = String(result.position);
    return result;
  }

  async create(plan: 'free' | 'pro' | 'enterprise'): Promise<void> {
    await this.accept(createTenant(this.tenantId, { name: `Tenant ${this.slug}`, slug: this.slug, plan }));
    await this.issueApiKey(this.apiKeyId, this.token);
  }

  async issueApiKey(apiKeyId: string, token: string): Promise<void> {
    await this.accept(command('IssueApiKey', this.tenantId, { apiKeyId, name: `key ${apiKeyId.slice(0, 8)}`, tokenSha256: sha256(token) }));
  }

  async registerUser(role: 'owner' | 'admin' | 'user'): Promise<{ id: string; email: string }> {
    const id = randomUUID();
    const email = `user-${id.slice(0, 8)}@${this.slug}.example.com`;
    await this.accept(command('RegisterUser', this.tenantId, { userId: id, email, passwordHash: BCRYPT_HASH, role }));
    return { id, email };
  }

  async createMonitor(name: string, checkInterval = 60): Promise<string> {
    const id = randomUUID();
    await this.accept(createMonitor(this.tenantId, id, { name, url: `https://${this.slug}.example.com/${id}`, checkInterval }));
    return id;
  }

  async check(
    monitorId: string,
    status: ScenarioCheck['status'],
    minutesAgo: number,
    responseTimeMs: number,
    errorMessage?: string,
  ): Promise<ScenarioCheck> {
    const checkedAt = this.minutesAgo(minutesAgo);
    const envelope = recordCheck(this.tenantId, monitorId, status, {
      responseTimeMs,
      checkedAt: checkedAt.toISOString(),
      ...(errorMessage && { errorMessage }),
    });
    await this.accept(envelope);
    const check = { id: envelope.payload.checkId as string, monitorId, status, responseTimeMs, checkedAt };
    this.checks.push(check);
    return check;
  }

  checksOf(monitorId: string): ScenarioCheck[] {
    return this.checks.filter((c) => c.monitorId === monitorId);
  }
}
