import type pg from 'pg';

const CHUNK_BYTES = 1 << 20;

/** The part of pg's connection a simple query with COPY FROM STDIN needs (pg has the methods but no public API for them). */
interface CopyInConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** What each statement of a simple query returned: its command tag (`INSERT 0 3`, `COPY 150`…) and its rows as text. */
export interface StatementResult {
  command: string;
  rows: (string | null)[][];
}

/**
 * A simple-protocol query (one or more statements, no parameters) whose `COPY … FROM STDIN`
 * statements take their data from `copyData`, in order, as a pg "submittable". pg routes the
 * protocol messages of the active query here: rows and a CommandComplete per statement, a
 * CopyInResponse where a COPY wants its data, then ReadyForQuery, or an ErrorResponse instead.
 *
 * Several statements in one simple query run as one transaction (PostgreSQL's implicit
 * transaction block) in one round trip: an error in any of them rolls all of them back.
 */
class SimpleQuery {
  private readonly results: StatementResult[] = [];
  private rows: (string | null)[][] = [];
  /** COPY statements the server started. */
  private copies = 0;
  private done = false;

  constructor(
    private readonly sql: string,
    private readonly copyData: readonly Buffer[],
    private readonly callback: (error: Error | null, results: StatementResult[]) => void,
  ) {}

  /**
   * Sends the query and, right behind it, the data of every COPY: the server reads a COPY's data
   * from the connection when it gets there, so nothing waits for this process to see the
   * CopyInResponse first (on a busy event loop, that wait was most of a batch's time). Data left
   * unread because an earlier statement failed is skipped by the server, which ignores CopyData
   * and CopyDone outside a COPY.
   */
  submit(connection: CopyInConnection): void {
    connection.query(this.sql);
    for (const data of this.copyData) {
      // CopyData messages stay well under the protocol's 1 GB message limit.
      for (let at = 0; at < data.length; at += CHUNK_BYTES) connection.sendCopyFromChunk(data.subarray(at, at + CHUNK_BYTES));
      connection.endCopyFrom();
    }
  }

  /** The data is on its way already (submit); a COPY beyond the data given gets none. */
  handleCopyInResponse(connection: CopyInConnection): void {
    this.copies += 1;
    if (this.copies > this.copyData.length) connection.endCopyFrom();
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    this.rows.push(message.fields);
  }

  handleCommandComplete(message: { text?: string }): void {
    this.results.push({ command: message.text ?? '', rows: this.rows });
    this.rows = [];
  }

  handleReadyForQuery(): void {
    this.finish(null);
  }

  /** pg calls this instead of handleReadyForQuery for a server error, and for a dead connection. */
  handleError(error: Error): void {
    this.finish(error);
  }

  // The other messages of the simple-query protocol carry nothing needed here.
  handleRowDescription(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private finish(error: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.callback(error, this.results);
  }
}

/**
 * Runs `sql` (statements separated by semicolons, values inlined with `sqlLiteral`) through the
 * simple query protocol in one round trip, feeding its `COPY … FROM STDIN` statements from
 * `copyData` in order. Resolves with each statement's command tag and rows.
 */
export function simpleQuery(client: pg.ClientBase, sql: string, copyData: readonly (string | Buffer)[] = []): Promise<StatementResult[]> {
  return new Promise((resolve, reject) => {
    const buffers = copyData.map((d) => (Buffer.isBuffer(d) ? d : Buffer.from(d, 'utf8')));
    const query = new SimpleQuery(sql, buffers, (error, results) => (error ? reject(error) : resolve(results)));
    void client.query(query as unknown as pg.Submittable);
  });
}

/** Runs `COPY <table> (…) FROM STDIN` with `data` in PostgreSQL's text format; resolves with the rows copied. */
export async function copyFrom(client: pg.ClientBase, sql: string, data: string | Buffer): Promise<number> {
  const [result] = await simpleQuery(client, sql, [data]);
  return Number(/^COPY (\d+)/.exec(result?.command ?? '')?.[1] ?? 0);
}

/** A value for COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)
    : value;
}

const SQL_LITERAL_SPECIAL = /[\\']/;

/**
 * A string as an SQL literal for the simple protocol: `E'…'` with quotes and backslashes doubled,
 * safe whatever the text holds (NUL cannot occur in a valid JSON text, and PostgreSQL refuses it).
 */
export function sqlLiteral(value: string): string {
  // ingest's batches (JSON of base64 and numbers) seldom hold either character: no copy then
  if (!SQL_LITERAL_SPECIAL.test(value)) return `E'${value}'`;
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
