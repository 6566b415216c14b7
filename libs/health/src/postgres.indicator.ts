import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Pool } from 'pg';

/** `SELECT 1` on the primary, bounded by a timeout so a hung connection reads as down. */
@Injectable()
export class PostgresIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  async ping(key: string, pool: Pool, timeoutMs: number) {
    const indicator = this.indicators.check(key);
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pool.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return indicator.up({ responseTimeMs: Date.now() - started });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
