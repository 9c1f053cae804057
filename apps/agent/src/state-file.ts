import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface AgentState {
  lastSeq: number;
}

/** The agent's small persistent state (last sequence number), written atomically. */
export class StateFile {
  private readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, 'state.json');
  }

  read(): AgentState {
    try {
      const value: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      if (typeof value === 'object' && value && 'lastSeq' in value && Number.isSafeInteger(value.lastSeq)) {
        return { lastSeq: Number(value.lastSeq) };
      }
    } catch {
      // absent or unreadable: start from zero; the server's welcome corrects the sequence
    }
    return { lastSeq: 0 };
  }

  write(state: AgentState): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
