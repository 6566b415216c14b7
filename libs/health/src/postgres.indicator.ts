import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Pool } from 'pg';
import { errorMessage, withTimeout } from './with-timeout';

/** `SELECT 1` on the primary, bounded by a timeout so a hung connection reads as down. */
@Injectable()
export class PostgresIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  async ping(key: string, pool: Pool, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const started = Date.now();
    try {
      await withTimeout(pool.query('SELECT 1'), timeoutMs, 'postgres');
      return indicator.up({ responseTimeMs: Date.now() - started });
    } catch (error) {
      return indicator.down({ message: errorMessage(error) });
    }
  }
}
