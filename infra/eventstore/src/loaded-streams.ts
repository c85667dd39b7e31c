/**
 * The streams a process handled commands on lately, as last loaded or written, so the
 * next command on one is decided on the entry without a read, and a read takes only the
 * events after it (Axon's caching repository). A stale entry is harmless: the append
 * expects the entry's revision, and a conflict reads; a refusal or a decision to append
 * nothing is taken only after a read. Least recently used entries go first.
 */
export const loadedStreams = <Entry extends { revision: bigint }>(capacity: number) => {
  const entries = new Map<string, Entry>();
  return {
    get: (stream: string): Entry | undefined => {
      const entry = entries.get(stream);
      if (entry) {
        entries.delete(stream);
        entries.set(stream, entry);
      }
      return entry;
    },
    /** Keeps the entry unless one of a later revision is already there (a concurrent load). */
    offer: (stream: string, entry: Entry): void => {
      if (capacity <= 0) return;
      const current = entries.get(stream);
      if (current && current.revision > entry.revision) return;
      entries.delete(stream);
      entries.set(stream, entry);
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
  };
};

/**
 * Forgets the oldest command ids once there are twice `keep`, so an aggregate handling
 * commands for years stays small. A repeat of a forgotten command is still stored only
 * once: its events' ids derive from its id, and the store answers `written: false`.
 */
export const forgetOldest = <Value>(handled: Map<string, Value>, keep: number): void => {
  if (handled.size <= keep * 2) return;
  for (const key of [...handled.keys()].slice(0, handled.size - keep)) handled.delete(key);
};
