/** Time source of the read API (uptime windows, expiry checks), replaced by a fixed clock in tests. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
