import type { Projection } from '../definition';
import type { ProjectionMessage } from '../events';

/** Where a rebuild or a replay reads a projection's events from: Kafka, or the context stores. */
export interface ProjectionFeed {
  /** `store`: its positions are store checkpoints, not the live runner's Kafka offsets. */
  readonly kind: 'kafka' | 'store';
  /** Captures the sources' end and starts reading from the feed's start. */
  open(projection: Projection): Promise<FeedSession>;
}

export type OnFeedBatch = (messages: ProjectionMessage[]) => Promise<void>;

/** A position of the live runner: the last offset applied in a topic's partition. */
export interface FeedTarget {
  topic: string;
  partition: number;
  offset: string;
}

export interface FeedSession {
  /** The messages between the start and the end captured at open, when the source can tell. */
  readonly total?: number;
  /** Hands over the messages up to the end captured at open, in order per partition, a batch at a time. */
  readToEnd(onBatch: OnFeedBatch): Promise<void>;
  /**
   * Reads on past that end. Kafka: each partition up to its target (inclusive); the
   * stores: to their current end, targets aside (their positions are not offsets).
   */
  catchUp(targets: FeedTarget[], onBatch: OnFeedBatch): Promise<void>;
  close(): Promise<void>;
}
