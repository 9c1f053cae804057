import type pg from 'pg';

const CHUNK_BYTES = 1 << 20;

/** The part of pg's connection a COPY FROM STDIN needs (pg has the methods but no public API for them). */
interface CopyInConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * `COPY … FROM STDIN` as a pg "submittable": PostgreSQL's fastest way in for many rows, without
 * another dependency. pg routes the protocol messages of the active query here: CopyInResponse
 * (send the data), CommandComplete (`COPY n`), then ReadyForQuery, or an ErrorResponse instead.
 */
class CopyIn {
  private rowCount = 0;
  private done = false;

  constructor(
    private readonly sql: string,
    private readonly data: Buffer,
    private readonly callback: (error: Error | null, rowCount: number) => void,
  ) {}

  submit(connection: CopyInConnection): void {
    connection.query(this.sql);
  }

  handleCopyInResponse(connection: CopyInConnection): void {
    // CopyData messages stay well under the protocol's 1 GB message limit.
    for (let at = 0; at < this.data.length; at += CHUNK_BYTES) connection.sendCopyFromChunk(this.data.subarray(at, at + CHUNK_BYTES));
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rowCount = Number(/^COPY (\d+)/.exec(message.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    this.finish(null);
  }

  /** pg calls this instead of handleReadyForQuery for a server error, and for a dead connection. */
  handleError(error: Error): void {
    this.finish(error);
  }

  // The other messages of the simple-query protocol carry nothing for a COPY.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private finish(error: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.callback(error, this.rowCount);
  }
}

/** Runs `COPY <table> (…) FROM STDIN` with `data` in PostgreSQL's text format; resolves with the rows copied. */
export function copyFrom(client: pg.ClientBase, sql: string, data: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const copy = new CopyIn(sql, Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'), (error, rows) =>
      error ? reject(error) : resolve(rows),
    );
    void client.query(copy as unknown as pg.Submittable);
  });
}

/** A value for COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : value;
}
