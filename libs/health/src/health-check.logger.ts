import { Injectable, Logger, LoggerService } from '@nestjs/common';

/**
 * Terminus's logger. Terminus logs every failed check ("Health Check has failed!", with the
 * checks' details) at error; a failed readiness check is a dependency's outage, which readiness
 * reports by its 503 every few seconds while it lasts, not a fault of this process to be paged
 * for. So those lines go out at warn, as the outage's other lines do (KafkaJS's connection
 * errors, the probes' 503 in the access log).
 */
@Injectable()
export class HealthCheckLogger implements LoggerService {
  private readonly logger = new Logger('HealthCheckService');

  log(message: unknown): void {
    this.logger.log(message);
  }

  error(message: unknown): void {
    this.logger.warn(message);
  }

  warn(message: unknown): void {
    this.logger.warn(message);
  }

  debug(message: unknown): void {
    this.logger.debug(message);
  }

  verbose(message: unknown): void {
    this.logger.verbose(message);
  }
}
