/**
 * Work for one key (a stream) taken one batch at a time: the first entry goes at once,
 * and those that arrive while a batch runs wait, then go together in the next, up to
 * maxBatch, in arrival order. An entry that must go alone (`alone`) is a batch of its own.
 * Keys are independent: streams never wait for each other.
 */
export interface StreamQueueOptions<Entry> {
  maxBatch: number;
  alone(entry: Entry): boolean;
  /** Runs one batch; it answers its entries itself, and must not throw. */
  run(key: string, batch: Entry[]): Promise<void>;
}

export const streamQueue = <Entry>({ maxBatch, alone, run }: StreamQueueOptions<Entry>) => {
  // A key is here while a batch of it runs; its list holds the entries that wait.
  const waiting = new Map<string, Entry[]>();

  const nextBatch = (entries: Entry[]): Entry[] => {
    if (alone(entries[0] as Entry)) return entries.splice(0, 1);
    let count = 1;
    while (count < entries.length && count < maxBatch && !alone(entries[count] as Entry)) count++;
    return entries.splice(0, count);
  };

  const drain = async (key: string, entries: Entry[]) => {
    while (entries.length > 0) await run(key, nextBatch(entries));
    waiting.delete(key);
  };

  return (key: string, entry: Entry): void => {
    const entries = waiting.get(key);
    if (entries) {
      entries.push(entry);
      return;
    }
    const started = [entry];
    waiting.set(key, started);
    void drain(key, started);
  };
};
