import type { PoolClient } from 'pg';

/** The part of pg's connection a COPY FROM STDIN drives (pg's Submittable protocol). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const CHUNK_BYTES = 1 << 20;

/**
 * `COPY ... FROM STDIN` of an in-memory text payload through pg's Submittable interface: the
 * fastest way into a table, without a stream library. Resolves with the number of rows copied.
 */
class CopyFromBuffer {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private fail!: (error: Error) => void;
  private rows = 0;
  private error?: Error;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.fail = reject;
    });
  }

  submit(connection: CopyConnection): null {
    connection.query(this.text);
    return null;
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (let start = 0; start < this.data.length; start += CHUNK_BYTES) {
      connection.sendCopyFromChunk(this.data.subarray(start, start + CHUNK_BYTES));
    }
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text: string }): void {
    const match = /^COPY (\d+)/.exec(message.text);
    this.rows = match ? Number(match[1]) : 0;
  }

  handleReadyForQuery(): void {
    if (this.error) this.fail(this.error);
    else this.resolve(this.rows);
  }

  handleError(error: Error): void {
    // pg does not call handleReadyForQuery after an error response
    this.error = error;
    this.fail(error);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

export async function copyFrom(client: PoolClient, copyStatement: string, data: Buffer): Promise<number> {
  const copy = new CopyFromBuffer(copyStatement, data);
  (client as unknown as { query(submittable: CopyFromBuffer): void }).query(copy);
  return copy.done;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in COPY's text format: `\N` for NULL, backslash escapes for the separators. */
export function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** `COPY ... TO STDOUT` into memory: every data chunk the server sends, joined. */
class CopyToBuffer {
  readonly done: Promise<Buffer>;
  private resolve!: (data: Buffer) => void;
  private fail!: (error: Error) => void;
  private readonly chunks: Buffer[] = [];
  private error?: Error;

  constructor(private readonly text: string) {
    this.done = new Promise<Buffer>((resolve, reject) => {
      this.resolve = resolve;
      this.fail = reject;
    });
  }

  submit(connection: CopyConnection): null {
    connection.query(this.text);
    return null;
  }

  handleCopyData(message: { chunk: Buffer }): void {
    // the parser reuses its buffer: keep a copy
    this.chunks.push(Buffer.from(message.chunk));
  }

  handleReadyForQuery(): void {
    if (this.error) this.fail(this.error);
    else this.resolve(Buffer.concat(this.chunks));
  }

  handleError(error: Error): void {
    this.error = error;
    this.fail(error);
  }

  handleCommandComplete(): void {}
  handleCopyInResponse(connection: CopyConnection & { sendCopyFail(message: string): void }): void {
    connection.sendCopyFail('COPY TO expected');
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

export async function copyTo(client: PoolClient, copyStatement: string): Promise<Buffer> {
  const copy = new CopyToBuffer(copyStatement);
  (client as unknown as { query(submittable: CopyToBuffer): void }).query(copy);
  return copy.done;
}
