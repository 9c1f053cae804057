import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Gap, Snapshot, SnapshotV2 } from '@portpressure/protocol';

/** A range of sequence numbers dropped from the full spool, and how much of it the API has acknowledged. */
export interface SpoolGap {
  fromSeq: number;
  toSeq: number;
}

const SNAPSHOT_FILE = /^(\d{16})\.json$/;
const GAPS_FILE = 'gaps.json';

/** Writes a file so that it is either absent or complete on disk, even after a power cut. */
function writeDurably(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The agent's bounded on-disk spool of unacknowledged snapshots: one file per snapshot
 * (`<seq>.json`, zero-padded so names sort by seq), written durably before the snapshot is sent,
 * deleted when the API acks it. Survives API outages and agent restarts alike.
 *
 * When it holds `capacity` snapshots, appending drops the oldest and records its seq in a gap
 * (`gaps.json`), which the link reports to the API so the hole in the history is counted, not
 * silent. Only sequence numbers live in memory; snapshot bodies are read back when sent.
 */
export class Spool {
  private readonly seqs: number[] = [];
  private gapList: SpoolGap[] = [];
  /** Snapshots dropped since this process started (the API keeps the lasting count). */
  droppedCount = 0;

  private constructor(
    readonly dir: string,
    readonly capacity: number,
  ) {}

  /** Opens (creating it, 0700) the spool in `dir` and loads what a previous run left there. */
  static open(dir: string, capacity: number): Spool {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const spool = new Spool(dir, capacity);
    for (const name of readdirSync(dir)) {
      const match = SNAPSHOT_FILE.exec(name);
      if (match) spool.seqs.push(Number(match[1]));
      else if (name.endsWith('.tmp')) unlinkSync(path.join(dir, name)); // a write cut short: never acknowledged as spooled
    }
    spool.seqs.sort((a, b) => a - b);
    try {
      const saved: unknown = JSON.parse(readFileSync(path.join(dir, GAPS_FILE), 'utf8'));
      if (Array.isArray(saved)) {
        spool.gapList = saved.filter(
          (g): g is SpoolGap => Number.isSafeInteger(g?.fromSeq) && Number.isSafeInteger(g?.toSeq) && g.fromSeq <= g.toSeq,
        );
      }
    } catch {
      // no gaps file: nothing was ever dropped, or every gap was acknowledged
    }
    // A restart with a smaller capacity trims at once, through the same accounting.
    while (spool.seqs.length > capacity) spool.dropOldest();
    return spool;
  }

  get size(): number {
    return this.seqs.length;
  }

  /** Sequence numbers spooled, oldest first. */
  get pending(): readonly number[] {
    return this.seqs;
  }

  /** Gaps not yet acknowledged by the API, oldest first. */
  get gaps(): readonly SpoolGap[] {
    return this.gapList;
  }

  /** Highest sequence number spooled now (0 when empty). */
  get lastSeq(): number {
    return this.seqs[this.seqs.length - 1] ?? 0;
  }

  /** Stores a snapshot durably; when full, the oldest is dropped first. Returns the seqs dropped. */
  append(snapshot: Snapshot | SnapshotV2): number[] {
    const dropped: number[] = [];
    while (this.seqs.length >= this.capacity) {
      const seq = this.dropOldest();
      if (seq === undefined) break;
      dropped.push(seq);
    }
    writeDurably(this.file(snapshot.seq), JSON.stringify(snapshot));
    this.seqs.push(snapshot.seq);
    if (this.seqs.length > 1 && this.seqs[this.seqs.length - 2]! > snapshot.seq) this.seqs.sort((a, b) => a - b);
    return dropped;
  }

  /** Reads a spooled snapshot back; undefined when it is gone or unreadable (then it is dropped as a gap). */
  read(seq: number): Snapshot | SnapshotV2 | undefined {
    try {
      return JSON.parse(readFileSync(this.file(seq), 'utf8')) as Snapshot | SnapshotV2;
    } catch {
      this.remove(seq);
      this.addToGap(seq);
      return undefined;
    }
  }

  /** The API committed (or refused for good) this snapshot: forget it. */
  ack(seq: number): boolean {
    if (!this.remove(seq)) return false;
    try {
      unlinkSync(this.file(seq));
    } catch {
      // already gone
    }
    return true;
  }

  /**
   * The API recorded the gap `fromSeq … toSeq`: those seqs leave the gap list. A gap that grew
   * meanwhile keeps its unreported rest, which is reported next.
   */
  ackGap(acked: Gap | SpoolGap): void {
    const rest: SpoolGap[] = [];
    for (const g of this.gapList) {
      if (g.toSeq < acked.fromSeq || g.fromSeq > acked.toSeq) {
        rest.push(g);
        continue;
      }
      if (g.fromSeq < acked.fromSeq) rest.push({ fromSeq: g.fromSeq, toSeq: acked.fromSeq - 1 });
      if (g.toSeq > acked.toSeq) rest.push({ fromSeq: acked.toSeq + 1, toSeq: g.toSeq });
    }
    this.gapList = rest;
    this.saveGaps();
  }

  /** Makes every spooled file and the directory durable (SIGTERM: nothing written is lost on a crash after exit). */
  flush(): void {
    fsyncDir(this.dir);
  }

  private dropOldest(): number | undefined {
    const seq = this.seqs.shift();
    if (seq === undefined) return undefined;
    try {
      unlinkSync(this.file(seq));
    } catch {
      // already gone
    }
    this.addToGap(seq);
    return seq;
  }

  private addToGap(seq: number): void {
    this.droppedCount += 1;
    const last = this.gapList[this.gapList.length - 1];
    if (last && last.toSeq === seq - 1) last.toSeq = seq;
    else this.gapList.push({ fromSeq: seq, toSeq: seq });
    this.saveGaps();
  }

  private saveGaps(): void {
    writeDurably(path.join(this.dir, GAPS_FILE), JSON.stringify(this.gapList));
  }

  private remove(seq: number): boolean {
    const i = this.seqs.indexOf(seq);
    if (i < 0) return false;
    this.seqs.splice(i, 1);
    return true;
  }

  private file(seq: number): string {
    return path.join(this.dir, `${String(seq).padStart(16, '0')}.json`);
  }
}
