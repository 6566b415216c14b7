import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerGroupRegistry } from './consumer-group.registry';
import { judgeConsumerGroup } from './consumer-group.status';

/** Up when every registered consumer group has joined; a role that registered none is down. */
@Injectable()
export class ConsumerGroupIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ConsumerGroupRegistry,
  ) {}

  check(key: string, rebalanceGraceMs: number, now = Date.now()): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const sources = this.registry.all();
    // The role asked for this check, so no group at all means its consumer never started.
    if (sources.length === 0) return indicator.down({ message: 'no consumer group registered' });
    const groups: Record<string, unknown> = {};
    const notReady: string[] = [];
    for (const source of sources) {
      const status = source.consumerGroupStatus();
      const verdict = judgeConsumerGroup(status, now, rebalanceGraceMs);
      groups[status.groupId] = verdict.details;
      // A joined member can be unhealthy too (evicted while it thinks itself joined): say why.
      const why = verdict.details.message;
      if (!verdict.healthy) notReady.push(`${status.groupId} is ${status.state}${typeof why === 'string' ? ` (${why})` : ''}`);
    }
    return notReady.length === 0
      ? indicator.up({ groups })
      : indicator.down({ groups, message: `consumer group not joined: ${notReady.join(', ')}` });
  }
}
