import { Agent, IncomingMessage, request } from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  /** performance.now() when the event was parsed. */
  receivedAt: number;
}

/**
 * A minimal Server-Sent Events reader over node:http for GET /v1/stream (the benchmark and the
 * tests): one socket per stream, events parsed as the EventSource algorithm does (fields per
 * line, dispatch on a blank line, comments ignored), the last id kept for a reconnect.
 */
export class SseStream {
  readonly events: SseEvent[] = [];
  lastEventId?: string;
  status = 0;
  /** The body of a refusal (problem+json), when the status is not 200. */
  body = '';
  readonly ended: Promise<void>;
  private response?: IncomingMessage;
  private listeners: ((event: SseEvent) => void)[] = [];
  private endedResolve!: () => void;
  private buffer = '';
  private pending: Partial<SseEvent> & { data?: string } = {};

  private constructor() {
    this.ended = new Promise((resolve) => (this.endedResolve = resolve));
  }

  /** Resolves once the response head arrived (any status). */
  static open(url: string, headers: Record<string, string>, agent?: Agent): Promise<SseStream> {
    const stream = new SseStream();
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent }, (response) => {
        stream.response = response;
        stream.status = response.statusCode ?? 0;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (stream.status === 200 ? stream.feed(chunk) : (stream.body += chunk)));
        response.on('close', () => stream.endedResolve());
        response.on('error', () => stream.endedResolve());
        resolve(stream);
      });
      req.on('error', (error) => {
        stream.endedResolve();
        reject(error);
      });
      req.end();
    });
  }

  onEvent(listener: (event: SseEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The events of these types, in order. */
  of(...types: string[]): SseEvent[] {
    return this.events.filter((event) => types.includes(event.event));
  }

  async waitFor(predicate: (stream: SseStream) => boolean, timeoutMs: number, what = 'events'): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate(this)) {
      if (performance.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.response?.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') this.pending.id = value;
    else if (field === 'event') this.pending.event = value;
    else if (field === 'data') this.pending.data = this.pending.data === undefined ? value : `${this.pending.data}\n${value}`;
  }

  private dispatch(): void {
    const { id, event, data } = this.pending;
    this.pending = {};
    if (id !== undefined) this.lastEventId = id;
    if (data === undefined) return;
    const parsed: SseEvent = { id, event: event ?? 'message', data, receivedAt: performance.now() };
    this.events.push(parsed);
    for (const listener of this.listeners) listener(parsed);
  }
}
