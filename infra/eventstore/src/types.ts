// The event store port (docs/architecture.md, "Contracts"). Every adapter offers exactly this,
// so the rest of Ordo never knows which store it runs on.

export type ExpectedRevision = bigint | 'no_stream' | 'stream_exists' | 'any';

export interface EventMetadata {
  correlationId: string;
  causationId: string;
  commandId?: string;
  traceparent?: string;
  actor?: string;
  schemaVersion: number;
}

/** An event to append. Its id makes appends idempotent: derive it from the command id. */
export interface EventData<T = unknown> {
  id: string;
  type: string;
  data: T;
  /** schemaVersion may be left out when the store has a schema registry: it sets the current one. */
  metadata: Omit<EventMetadata, 'schemaVersion'> & { schemaVersion?: number };
}

export interface RecordedEvent<T = unknown> {
  id: string;
  type: string;
  /** `<category>-<id>`, e.g. `order-42`. */
  stream: string;
  /** 0-based position in its stream. */
  revision: bigint;
  /** Position in its store; meaningful only within that store. */
  position: bigint;
  data: T;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** An opaque position to resume reading from; it means what its store needs. */
export type Checkpoint = string;

/** An event read from all streams, with the checkpoint that resumes after it. */
export type PositionedEvent<T = unknown> = RecordedEvent<T> & { checkpoint: Checkpoint };

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** The stream's revision after the append: pass it as expectedRevision next time. */
  nextExpectedRevision: bigint;
  /** False when every event was already stored (a retried append): nothing was written. */
  written: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Default: the start (forwards) or the end (backwards). */
  fromRevision?: bigint;
  maxCount?: number;
}

export interface AllFilter {
  /** Only streams starting with one of these, e.g. 'order-'. */
  streamPrefixes?: string[];
  eventTypes?: string[];
}

export interface ReadAllOptions {
  /** Exclusive: events after this checkpoint. Default: the beginning. */
  from?: Checkpoint;
  filter?: AllFilter;
  /** How many events one round trip fetches. Default 500. */
  batchSize?: number;
}

export interface SubscribeOptions extends ReadAllOptions {
  /**
   * Called for each event in order; the next event is not read until it resolves, so
   * a slow handler slows the subscription instead of filling memory. A throw stops
   * the subscription (`done` rejects); resume from the last checkpoint handled.
   */
  handler: (event: PositionedEvent) => Promise<void> | void;
  /** Called once when catch-up has reached the end and the subscription goes live. */
  onLive?: () => void;
  /**
   * Once live, read at most once every `gatherMs`, at the clock's multiples of it, and hand
   * over together what was appended meanwhile: for a consumer that gathers events that long
   * anyway (a projection), the reads between were wasted. Every subscription gathering as
   * long reads at the same moments, so a consumer of several stores gets their events
   * together. Stores that read by polling honour it (PostgreSQL, PGlite); EventStoreDB
   * pushes each event as it is appended and ignores it.
   */
  gatherMs?: number;
}

export interface Subscription {
  /** The checkpoint of the last event the handler finished. */
  readonly checkpoint: Checkpoint | undefined;
  readonly isLive: boolean;
  /** Resolves when stopped, rejects with the handler's or the store's error. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface Snapshot<S = unknown> {
  /** The stream revision the state reflects: load events after it. */
  revision: bigint;
  state: S;
  /** Version of the state's shape, so a changed aggregate can ignore old snapshots. */
  version: number;
}

export interface EventStore {
  appendToStream(stream: string, events: readonly EventData[], options: AppendOptions): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<PositionedEvent>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  saveSnapshot<S>(stream: string, snapshot: Snapshot<S>): Promise<void>;
  loadSnapshot<S>(stream: string): Promise<Snapshot<S> | undefined>;
  close(): Promise<void>;
}
