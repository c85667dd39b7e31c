import fs from 'node:fs';
import path from 'node:path';
import { StartRefused } from '@ordo/runtime';

const LOCK_FILE = 'ordo.lock';

/** A data folder is in use by a live process: opening it too would split or corrupt it. */
export class DataFolderLocked extends StartRefused {
  override name = 'DataFolderLocked';
}

export interface DataFolderLock {
  /** Removes the lock file, if it is still ours. */
  release(): void;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readHolder = (file: string): number | undefined => {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // gone meanwhile
  }
};

/**
 * Takes the data folder for this process before anything opens it: a lock file holding
 * the pid, created exclusively. A lock whose process is dead (killed, crashed) is taken
 * over; one whose process lives is refused with the pid, since PGlite opened by two
 * processes at once splits the data and can leave the folder unopenable.
 */
export const lockDataFolder = (folder: string): DataFolderLock => {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, LOCK_FILE);
  const mine = String(process.pid);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      return {
        release: () => {
          if (readHolder(file) === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
      throw new DataFolderLocked(`${path.resolve(folder)} is in use by process ${holder}; stop it first, or give this one another ORDO_DATA_DIR`);
    }
    // The holder is dead (or the file is empty or torn): move the stale lock aside under a
    // name of our own, so that of two processes taking over at once only one removes it.
    const aside = `${file}.stale-${process.pid}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue; // another process moved it first
    }
    // Between our read and our rename another process may have taken over and written its
    // own lock: that one is live, so it goes back (a link fails if the name is taken again).
    if (readHolder(aside) !== holder) {
      try {
        fs.linkSync(aside, file);
      } catch {
        // taken again meanwhile: the next attempt reads whoever holds it now
      }
    }
    fs.rmSync(aside, { force: true });
  }
  throw new DataFolderLocked(`could not take the lock ${file}: other processes keep taking it`);
};
