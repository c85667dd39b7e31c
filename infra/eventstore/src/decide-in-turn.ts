import { WrongExpectedRevisionError } from './errors';
import type { Aggregate, CommandMetadata, DomainEvent, Handled } from './command-handler';

/** A command waiting for its stream's turn (stream-queue.ts), and how to answer it. */
export interface Queued<State, Event extends DomainEvent> {
  metadata: CommandMetadata;
  decide: (state: State) => Event[];
  expectedRevision: bigint | 'stream_exists' | undefined;
  /** Set on the commands of one `handleTogether`: decided and appended together, all or none. */
  group?: object;
  resolve(handled: Handled<State, Event>): void;
  reject(error: unknown): void;
}

/** What became of one command of a batch; `revision` is filled in once the batch is appended. */
export interface Decision<State, Event extends DomainEvent> {
  entry: Queued<State, Event>;
  /** Its events: decided now, or (repeated) those its first handling stored. */
  events?: Event[];
  repeated: boolean;
  /** The command's refusal (the decider threw, or a client's expected revision did not match). */
  error?: unknown;
  /** The state after it. */
  state: State;
  revision: bigint;
}

interface StreamAsLoaded<State> {
  state: State;
  revision: bigint;
  handled: Map<string, DomainEvent[]>;
}

const matches = (expected: bigint | 'stream_exists', revision: bigint) => (expected === 'stream_exists' ? revision >= 0n : revision === expected);

/**
 * Decides each command of a batch on the state the ones before it left. A command this stream
 * has handled answers with its first events. A refusal, or a decision to do nothing, is only
 * taken on a state just read: on a remembered (`doubtful`) one, the batch reads first.
 */
export const decideInTurn = <State, Event extends DomainEvent>(
  aggregate: Aggregate<State, Event>,
  stream: string,
  loaded: StreamAsLoaded<State>,
  batch: readonly Queued<State, Event>[],
  { doubtful, expectedRevision }: { doubtful: boolean; expectedRevision: bigint | 'stream_exists' | undefined },
): Decision<State, Event>[] | 'read first' => {
  let state = loaded.state;
  const decided: Decision<State, Event>[] = [];
  for (const entry of batch) {
    const answer = { entry, repeated: false, revision: loaded.revision };
    const first = loaded.handled.get(entry.metadata.commandId);
    if (first) {
      decided.push({ ...answer, events: first as Event[], repeated: true, state });
      continue;
    }
    // After the repeat check: a retried request with its old If-Match gets its first answer.
    if (expectedRevision !== undefined && !matches(expectedRevision, loaded.revision)) {
      const actual = loaded.revision < 0n ? undefined : loaded.revision;
      decided.push({ ...answer, error: new WrongExpectedRevisionError(stream, expectedRevision, actual), state });
      continue;
    }
    let events: Event[];
    try {
      events = entry.decide(state);
    } catch (error) {
      if (doubtful) return 'read first';
      decided.push({ ...answer, error, state });
      continue;
    }
    if (events.length === 0 && doubtful) return 'read first';
    state = events.reduce(aggregate.evolve, state);
    decided.push({ ...answer, events, state });
  }
  return decided;
};

/** Answers every command of a batch. */
export const settle = <State, Event extends DomainEvent>(decided: readonly Decision<State, Event>[]): void => {
  for (const { entry, events, repeated, error, state, revision } of decided) {
    if (error !== undefined) entry.reject(error);
    else entry.resolve({ events: events ?? [], state, revision, repeated });
  }
};
