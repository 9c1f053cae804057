import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';

/** Creates the folder if need be; resolves with why it cannot be written to and entered, or null when it can. */
export async function unusableDirReason(dir: string): Promise<string | null> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK | constants.X_OK);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
