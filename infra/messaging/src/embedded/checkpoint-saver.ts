/**
 * How long a delivered event's checkpoint may wait to be saved, so a burst of events costs one
 * write. At 50 ms the embedded shop's checkpoint saves were a sixth of its statements (about
 * six an order on the five-step flow); a crash delivers this much again, which consumers take
 * without a second effect.
 */
export const CHECKPOINT_SAVE_DELAY_MS = 250;

export interface CheckpointSaver {
  /** The consumer is done with the event at `checkpoint`: it is saved within the delay, with any later one. */
  advance(checkpoint: string): void;
  /** Saves what is not saved yet, waiting for a save under way; no later save is scheduled. */
  flush(): Promise<void>;
}

/**
 * Saves an embedded consumer's checkpoint on a source at most once per delay instead of
 * after every event: under load that is most of what the consumer writes. Delivery stays
 * at least once: a checkpoint is only ever one the handler is done with, and a crash
 * delivers again at most the delay's worth of events, which the consumers already take
 * without a second effect (their inbox or their command ids), as they do from Kafka.
 * Saves run one at a time, in order; a failed save goes to `onError` (the consumer fails).
 */
export const checkpointSaver = (
  save: (checkpoint: string) => Promise<unknown>,
  onError: (error: unknown) => void,
  delayMs = CHECKPOINT_SAVE_DELAY_MS,
): CheckpointSaver => {
  let unsaved: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();

  const saveNow = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const checkpoint = unsaved;
    unsaved = undefined;
    if (checkpoint === undefined) return saving;
    saving = saving.then(async () => {
      await save(checkpoint);
    });
    return saving;
  };

  return {
    advance: (checkpoint) => {
      unsaved = checkpoint;
      timer ??= setTimeout(() => void saveNow().catch(onError), delayMs);
    },
    flush: () => saveNow(),
  };
};
