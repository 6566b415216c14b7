import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { CheckpointNotice, parseCheckpointPayload, READ_MODEL_CHANNELS } from '@vinsight/database';
import { Client, Notification } from 'pg';
import { READ_API_SETTINGS, ReadApiSettings } from '../read-api.settings';

const FIRST_RECONNECT_DELAY_MS = 100;
const MAX_RECONNECT_DELAY_MS = 5000;

export interface ReadModelSubscriber {
  /** A live read-models checkpoint moved (committed). */
  checkpoint?(notice: CheckpointNotice): void;
  /** A tenant's row or API keys changed (committed); `*` for every tenant. */
  credentials?(tenantId: string): void;
  /** The listener (re)connected or lost its connection: notifications may have been missed. */
  listening?(up: boolean): void;
}

/**
 * The process's one LISTEN connection to the primary (a dedicated client, not a pooled one: a
 * pooled connection is shared by requests, and LISTEN belongs to a session). The projector
 * notifies from inside its transactions, so what is heard here is committed. Requests never
 * touch this connection; they subscribe to what it hears.
 *
 * A lost connection is reconnected with backoff (100 ms doubling to 5 s); meanwhile `up` is false
 * and subscribers fall back to what they did without it (the credential cache's time to live,
 * polling the checkpoints). The connection is opened in the background, so a database that is
 * down at boot delays notifications, never the start.
 */
@Injectable()
export class ReadModelListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReadModelListener');
  private readonly subscribers = new Set<ReadModelSubscriber>();
  private client: Client | null = null;
  private connected = false;
  private stopped = false;
  private reconnectDelayMs = FIRST_RECONNECT_DELAY_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(READ_API_SETTINGS) private readonly settings: ReadApiSettings,
  ) {}

  /** True while notifications are being received. */
  get up(): boolean {
    return this.connected;
  }

  subscribe(subscriber: ReadModelSubscriber): void {
    this.subscribers.add(subscriber);
  }

  onApplicationBootstrap(): void {
    if (!this.settings.notifications || !this.config.database.apiUrl) return;
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    this.setConnected(false);
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.config.database.apiUrl,
      application_name: `vinsight-read-api-listener-${process.pid}`,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    });
    this.client = client;
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (message) => this.dispatch(message));
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_MODEL_CHANNELS.checkpoint}; LISTEN ${READ_MODEL_CHANNELS.credentials}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.client !== client) return;
    if (this.reconnectDelayMs > FIRST_RECONNECT_DELAY_MS) this.logger.log('read model notifications heard again');
    this.reconnectDelayMs = FIRST_RECONNECT_DELAY_MS;
    this.setConnected(true);
  }

  private lost(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    this.setConnected(false);
    if (this.stopped) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, MAX_RECONNECT_DELAY_MS);
    this.logger.warn(`read model notifications lost (${error.message}); reconnecting in ${delay} ms`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private setConnected(up: boolean): void {
    if (this.connected === up) return;
    this.connected = up;
    for (const subscriber of this.subscribers) subscriber.listening?.(up);
  }

  private dispatch({ channel, payload }: Notification): void {
    if (payload === undefined) return;
    if (channel === READ_MODEL_CHANNELS.checkpoint) {
      const notice = parseCheckpointPayload(payload);
      if (notice) for (const subscriber of this.subscribers) subscriber.checkpoint?.(notice);
    } else if (channel === READ_MODEL_CHANNELS.credentials) {
      for (const subscriber of this.subscribers) subscriber.credentials?.(payload);
    }
  }
}
