import { setTimeout as sleep } from 'node:timers/promises';
import { WrongExpectedRevisionError } from './errors';
import { eventIdFor } from './ids';
import { decideInTurn, settle, type Queued } from './decide-in-turn';
import { forgetOldest, loadedStreams } from './loaded-streams';
import { streamQueue } from './stream-queue';
import type { EventStore, RecordedEvent } from './types';

/** An event as a decider returns it: a type-tagged union member. */
export interface DomainEvent {
  type: string;
  data: unknown;
}

/** The pure half of an aggregate: no clock, no ids, no I/O. */
export interface Aggregate<State, Event extends DomainEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
}

/** Who asked, and the ids that make the answer idempotent and traceable (docs/architecture.md, "Idempotency comes from the command id"). */
export interface CommandMetadata {
  /** The client's Idempotency-Key, or a saga's derived id: event ids derive from it. */
  commandId: string;
  correlationId: string;
  /** What caused the command; defaults to the command id. */
  causationId?: string;
  actor?: string;
  traceparent?: string;
}

export interface Handled<State, Event extends DomainEvent> {
  /** The events this command produced: on a repeated command, the ones its first handling stored. */
  events: Event[];
  state: State;
  /** The stream's revision after the command (-1n: the stream does not exist). */
  revision: bigint;
  /** True when the command id had been handled before: nothing was decided or appended. */
  repeated: boolean;
}

export interface CommandHandlerOptions<State, Event extends DomainEvent> {
  store: EventStore;
  aggregate: Aggregate<State, Event>;
  /**
   * Saves a snapshot once this many events follow the last one; off when absent. A snapshot
   * stores the state as JSON. For a state that holds what JSON has no word for, such as a
   * map, `toStored` makes the value stored and `revive` the state again from it.
   */
  snapshot?: { every: number; version: number; toStored?: (state: State) => unknown; revive?: (stored: unknown) => State };
  /** Streams kept in memory with their state, so a command reads only newer events: default 1,000; 0 turns it off. */
  cachedStreams?: number;
  /** Appends tried again after a concurrent writer won: default 10, after a short random pause each. */
  retries?: number;
  schemaVersion?: number;
}

/** A command of `handleTogether`: who asked, and what it decides. */
export interface TogetherCommand<State, Event extends DomainEvent> {
  metadata: CommandMetadata;
  decide: (state: State) => Event[];
}

export interface HandleOptions {
  /** The revision the client saw (If-Match), or `stream_exists` (`If-Match: *`): anything else is a conflict, not retried. */
  expectedRevision?: bigint | 'stream_exists';
}

/** Commands for one stream decided and appended together at most, when they queue. */
const MAX_COMMANDS_TOGETHER = 64;

interface Loaded<State> {
  state: State;
  revision: bigint;
  /** The events each handled command produced, by command id: how a repeat finds its first answer. */
  handled: Map<string, DomainEvent[]>;
  snapshotRevision: bigint;
}

/** Command ids an aggregate remembers (in memory and in its snapshot): older repeats are caught by the store. */
const HANDLED_KEPT = 1_000;

interface SnapshotState<State> {
  state: State;
  handled: [string, DomainEvent[]][];
}

/**
 * Load, decide, append (docs/architecture.md "Rules that make it reliable"): the stream is read
 * (from its snapshot when there is one), `decide` sees the state, and its events are
 * appended at the revision it saw. A concurrent writer makes the append fail; the
 * stream is read again and `decide` runs again, a bounded number of times. The
 * aggregate remembers which command ids it handled, so a repeated command appends
 * nothing and answers with its first events.
 */
export const commandHandler = <State, Event extends DomainEvent>(options: CommandHandlerOptions<State, Event>) => {
  const { store, aggregate } = options;
  const retries = options.retries ?? 10;
  const cache = loadedStreams<Loaded<State>>(options.cachedStreams ?? 1_000);

  const fromSnapshot = async (stream: string): Promise<Loaded<State>> => {
    const snapshot = options.snapshot ? await store.loadSnapshot<SnapshotState<State>>(stream) : undefined;
    const usable = snapshot && snapshot.version === options.snapshot?.version ? snapshot : undefined;
    if (!usable) return { state: aggregate.initialState(), revision: -1n, handled: new Map(), snapshotRevision: -1n };
    const state = options.snapshot?.revive ? options.snapshot.revive(usable.state.state) : usable.state.state;
    return { state, revision: usable.revision, handled: new Map(usable.state.handled), snapshotRevision: usable.revision };
  };

  // States are immutable (evolve returns new ones), and the handled map only ever learns
  // facts of the stream, which is append-only: so a cached entry is shared, not copied.
  const load = async (stream: string): Promise<Loaded<State>> => {
    const start = cache.get(stream) ?? (await fromSnapshot(stream));
    let { state, revision } = start;
    const learned = new Map<string, DomainEvent[]>();
    for await (const event of store.readStream(stream, { fromRevision: revision + 1n })) {
      state = aggregate.evolve(state, event as unknown as Event);
      revision = event.revision;
      remember(learned, event);
    }
    for (const [commandId, events] of learned) start.handled.set(commandId, events);
    forgetOldest(start.handled, HANDLED_KEPT);
    const loaded = { ...start, state, revision };
    cache.offer(stream, loaded);
    return loaded;
  };

  const maybeSnapshot = async (stream: string, loaded: Loaded<State>) => {
    if (!options.snapshot || loaded.revision - loaded.snapshotRevision < BigInt(options.snapshot.every)) return;
    cache.offer(stream, { ...loaded, snapshotRevision: loaded.revision });
    const stored = options.snapshot.toStored ? options.snapshot.toStored(loaded.state) : loaded.state;
    const state: SnapshotState<unknown> = { state: stored, handled: [...loaded.handled].slice(-HANDLED_KEPT) };
    // A snapshot is an optimisation: failing to save one must not fail the command.
    await store.saveSnapshot(stream, { revision: loaded.revision, version: options.snapshot.version, state }).catch(() => undefined);
  };

  /**
   * A stream this process has not loaded, taken to be new without a read: most first commands
   * on a stream create it (an order, its payment, its shipment), and that read found nothing.
   * The guess is checked like a remembered entry: the append expects no stream, so an existing
   * one fails it and the next attempt reads; a refusal or nothing to do reads first. Streams
   * with snapshots are long-lived, so they are read.
   */
  const assumedNew = (): Loaded<State> | undefined =>
    options.snapshot ? undefined : { state: aggregate.initialState(), revision: -1n, handled: new Map(), snapshotRevision: -1n };

  /**
   * Decides the commands of one batch in turn, each on the state the ones before it left,
   * and appends all their events at once: one append at the revision the first saw. One
   * command alone behaves as the single-command path always did; a client's expected
   * revision (If-Match) only ever comes alone.
   */
  const decideAndAppend = async (
    stream: string,
    batch: readonly Queued<State, Event>[],
    expectedRevision: bigint | 'stream_exists' | undefined,
    allOrNothing = false,
  ): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      // First from memory, without a read (a caller's If-Match is checked against a read):
      // the append expects the remembered revision, so a stale memory fails it and the next
      // attempt reads. A command it has handled is a fact that stays true; a refusal, or a
      // decision to do nothing, is only taken on a state just read.
      const remembered = attempt === 0 && expectedRevision === undefined ? (cache.get(stream) ?? assumedNew()) : undefined;
      const loaded = remembered ?? (await load(stream));
      const decided = decideInTurn(aggregate, stream, loaded, batch, { doubtful: remembered !== undefined, expectedRevision });
      if (decided === 'read first') continue;
      const refused = allOrNothing ? decided.find((decision) => decision.error !== undefined) : undefined;
      if (refused) {
        for (const entry of batch) entry.reject(refused.error);
        return;
      }
      const deciding = decided.filter((decision) => decision.events !== undefined && decision.events.length > 0 && !decision.repeated);
      if (deciding.length === 0) return settle(decided);
      try {
        const expected = loaded.revision < 0n ? 'no_stream' : loaded.revision;
        const events = deciding.flatMap(
          (decision) => decision.events?.map((event, index) => toEventData(event, index, decision.entry.metadata, options.schemaVersion)) ?? [],
        );
        const { nextExpectedRevision, written } = await store.appendToStream(stream, events, { expectedRevision: expected });
        // Not written: commands older than the remembered ids, repeated; their events were stored
        // the first time. The stream is read, so they answer with its state, not the guessed one.
        if (!written) {
          const current = await load(stream);
          const asStored = { repeated: true, state: current.state, revision: current.revision };
          return settle(decided.map((decision) => (deciding.includes(decision) ? { ...decision, ...asStored } : decision)));
        }
        let revision = loaded.revision;
        for (const decision of decided) {
          if (deciding.includes(decision)) {
            revision += BigInt(decision.events?.length ?? 0);
            loaded.handled.set(decision.entry.metadata.commandId, decision.events ?? []);
          }
          decision.revision = revision;
        }
        const appended = { ...loaded, state: decided[decided.length - 1]?.state ?? loaded.state, revision: nextExpectedRevision };
        cache.offer(stream, appended);
        await maybeSnapshot(stream, appended);
        return settle(decided);
      } catch (error) {
        // Something only one of them can answer for (events partly stored before): each alone.
        if (!(error instanceof WrongExpectedRevisionError) && batch.length > 1 && !allOrNothing) {
          for (const entry of batch) await decideAndAppend(stream, [entry], undefined);
          return;
        }
        // A client's expected revision is not ours to retry past: someone else's write won.
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= retries || expectedRevision !== undefined) {
          for (const entry of batch) entry.reject(error);
          return;
        }
        // Random, so writers that collided do not collide again in step; a wrong guess read at once.
        if (!remembered || remembered.revision >= 0n) await sleep(Math.random() * 2 ** Math.min(attempt, 6));
      }
    }
  };

  const queue = streamQueue<Queued<State, Event>>({
    maxBatch: MAX_COMMANDS_TOGETHER,
    // A client's If-Match is checked against the stream as it is then: such a command goes alone.
    alone: (entry) => entry.expectedRevision !== undefined,
    groupOf: (entry) => entry.group,
    run: async (stream, batch) => {
      try {
        const grouped = batch[0]?.group !== undefined;
        await decideAndAppend(stream, batch, batch.length === 1 ? batch[0]?.expectedRevision : undefined, grouped);
      } catch (error) {
        for (const entry of batch) entry.reject(error); // a read failed: no command of the batch was decided
      }
    },
  });

  /**
   * Handles a command on a stream. Commands for one stream are taken one batch at a time in
   * this process: the first goes at once, and those that arrive meanwhile wait and are then
   * decided and appended together, so a stream everyone writes (a flash sale's one sku) costs
   * one append per batch instead of a storm of conflicts and retries.
   */
  const handle = (stream: string, metadata: CommandMetadata, decide: (state: State) => Event[], { expectedRevision }: HandleOptions = {}) =>
    new Promise<Handled<State, Event>>((resolve, reject) => queue(stream, { metadata, decide, expectedRevision, resolve, reject }));

  /**
   * Handles several commands on one stream as one: decided in turn, each on the state the
   * ones before it left, and appended together, all or none. A refusal of any of them, or
   * a failed append, rejects them all and appends nothing; each answers as `handle` would
   * have. For a caller that holds commands of one stream in order (a consumer's waiting
   * messages of a key) and, when this fails, hands them over one by one: those appended
   * before then answer as repeats.
   */
  const handleTogether = (stream: string, commands: readonly TogetherCommand<State, Event>[]): Promise<Handled<State, Event>[]> => {
    const group = {};
    const entries: Queued<State, Event>[] = [];
    const answers = commands.map(
      ({ metadata, decide }) =>
        new Promise<Handled<State, Event>>((resolve, reject) => entries.push({ metadata, decide, expectedRevision: undefined, group, resolve, reject })),
    );
    queue(stream, ...entries);
    return Promise.all(answers);
  };

  return {
    handle,
    handleTogether,
    /** The current state and revision, for queries on the write side (GET by id). */
    read: async (stream: string): Promise<{ state: State; revision: bigint }> => {
      const { state, revision } = await load(stream);
      return { state, revision };
    },
  };
};

export type CommandHandler<State, Event extends DomainEvent> = ReturnType<typeof commandHandler<State, Event>>;

const remember = (handled: Map<string, DomainEvent[]>, event: RecordedEvent) => {
  const commandId = event.metadata.commandId;
  if (!commandId) return;
  const events = handled.get(commandId) ?? [];
  events.push({ type: event.type, data: event.data });
  handled.set(commandId, events);
};

const toEventData = (event: DomainEvent, index: number, metadata: CommandMetadata, schemaVersion = 1) => ({
  id: eventIdFor(metadata.commandId, index),
  type: event.type,
  data: event.data,
  metadata: {
    correlationId: metadata.correlationId,
    causationId: metadata.causationId ?? metadata.commandId,
    commandId: metadata.commandId,
    ...(metadata.actor ? { actor: metadata.actor } : {}),
    ...(metadata.traceparent ? { traceparent: metadata.traceparent } : {}),
    schemaVersion,
  },
});
