import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `text` to `file` so that a reader (node_exporter's textfile collector) sees either the
 * old content or the new one, never half a file: a temporary file in the same folder (rename is
 * atomic only within one file system), flushed, then renamed over the target. The temporary name
 * does not end in `.prom`, so the collector never reads it.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644, flush: true });
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
