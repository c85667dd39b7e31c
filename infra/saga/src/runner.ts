// The application layer: load an instance's stream, decide, append at the revision seen.
// The stream's revision is the lock when replies arrive concurrently from several topics.
import { randomUUID } from 'node:crypto';
import { eventIdFor, loadedStreams, WrongExpectedRevisionError, type EventStore, type ExpectedRevision } from '@ordo/eventstore';
import { traceHeaders } from '@ordo/runtime';
import { cancel, type CancelInput } from './cancel';
import { wake } from './deadlines';
import { instanceFor, type SagaInput } from './decide';
import type { IncomingEvent, SagaDefinition } from './definition';
import { sagaIdOf, type SagaEvent, type SagaState, type StartedSaga } from './instance';
import { operate, type OperatorAction } from './operate';
import type { SagaRecorder } from './recording';
import { sagaVersions } from './versions';

export interface SagaRunnerOptions<Data> {
  /** The version new instances start on. */
  definition: SagaDefinition<Data>;
  /**
   * Earlier versions whose instances are still running: each instance finishes on the
   * version its SagaStarted records. Drop one once none of its instances is left.
   */
  earlierVersions?: readonly SagaDefinition<Data>[];
  /** The saga context's own store: instances are its streams. */
  store: EventStore;
  clock: () => Date;
  /** Appends tried again after a concurrent reply won the revision: default 10. */
  retries?: number;
  /** Instances kept in memory as last loaded or written: default 1,000. */
  cachedInstances?: number;
  /** Given every decision appended, with its input (the replay check's fixtures are recorded so). Default none. */
  recorder?: SagaRecorder<Data>;
}

/** What `handle` did with an event, for logs and tests. */
export type SagaHandled<Data = unknown> =
  | { result: 'started'; sagaId: string; events: SagaEvent<Data>[] }
  | { result: 'already-started'; sagaId: string }
  | { result: 'reacted'; sagaId: string; events: SagaEvent<Data>[] }
  /** `recorded`: the instance recorded it as ReplyIgnored (a late, duplicate or unknown reply). */
  | { result: 'ignored'; sagaId?: string; why: string; recorded?: true };

type Loaded<Data> = { state: SagaState<Data>; revision: bigint };

/** An operator acted on an instance that does not exist. */
export class SagaInstanceNotFound extends Error {
  override name = 'SagaInstanceNotFound';
}

/** An operator's request: the action, who asks, and why. */
export interface OperatorRequest {
  action: OperatorAction;
  by: string;
  reason: string;
}

export const sagaRunner = <Data>(options: SagaRunnerOptions<Data>) => {
  const { definition, earlierVersions = [], store, clock, retries = 10, cachedInstances = 1_000, recorder } = options;
  const later = earlierVersions.find((earlier) => earlier.version >= definition.version);
  if (later)
    throw new Error(`saga ${definition.name}: version ${later.version} is given as earlier than ${definition.version}, the one new instances start on`);
  const versions = sagaVersions([definition, ...earlierVersions]);
  // Folding events needs no definition: any version's decider evolves any instance.
  const decider = versions.newest.decider;
  // An instance's state as this process last loaded or wrote it: a reply reads only newer events.
  const loaded = loadedStreams<Loaded<Data>>(cachedInstances);
  // Only these can answer a command of this saga: anything else is ignored without a read.
  const replyTypes = new Set(
    versions.all.flatMap(({ definition: version }) =>
      version.steps.flatMap((step) =>
        [step.action, step.compensation].flatMap((command) => (command ? [...command.success, ...Object.keys(command.failure)] : [])),
      ),
    ),
  );

  // The event types that ask an instance to stop, in any registered version: an instance decides by its own version's.
  const cancelTypes = new Set(versions.all.flatMap(({ definition: version }) => (version.cancelledBy ? [version.cancelledBy.type] : [])));

  const load = async (sagaId: string): Promise<Loaded<Data>> => {
    let { state, revision } = loaded.get(sagaId) ?? { state: decider.initialState(), revision: -1n };
    for await (const event of store.readStream(sagaId, { fromRevision: revision + 1n })) {
      state = decider.evolve(state, event as unknown as SagaEvent<Data>);
      revision = event.revision;
    }
    loaded.offer(sagaId, { state, revision });
    return { state, revision };
  };

  /** The instance after its own append: what a reload would give, without the read. */
  const remember = (sagaId: string, before: SagaState<Data>, events: SagaEvent<Data>[], revision: bigint) =>
    loaded.offer(sagaId, { state: events.reduce(decider.evolve, before), revision });

  // Ids derive from the instance and the event that caused them: an input handled twice stores nothing twice.
  // The trace is the one the cause's consumer continues from the cause's message, so the
  // commands the relay publishes from these events carry it on to the next context.
  const append = (sagaId: string, cause: { id: string }, correlationId: string, events: SagaEvent<Data>[], expectedRevision: ExpectedRevision) => {
    const { traceparent } = traceHeaders();
    const metadata = { correlationId, causationId: cause.id, schemaVersion: 1, ...(traceparent && { traceparent }) };
    return store.appendToStream(
      sagaId,
      events.map((event, index) => ({ id: eventIdFor(`${sagaId}/${cause.id}`, index), type: event.type, data: event.data, metadata })),
      { expectedRevision },
    );
  };

  const start = async (trigger: IncomingEvent): Promise<SagaHandled<Data>> => {
    const { sagaId } = instanceFor(definition, trigger);
    const input = { type: 'StartSaga', trigger, now: clock().toISOString() } as const;
    const events = decider.decide(input, decider.initialState());
    try {
      const { written, nextExpectedRevision } = await append(sagaId, trigger, trigger.metadata.correlationId, events, 'no_stream');
      if (written) {
        remember(sagaId, decider.initialState(), events, nextExpectedRevision);
        // `?.()` evaluates no argument when there is no recorder: the order path builds nothing for it.
        recorder?.({ sagaId, version: definition.version, revision: 0n, input, decided: events });
      }
      return written ? { result: 'started', sagaId, events } : { result: 'already-started', sagaId };
    } catch (error) {
      // A duplicate trigger starts nothing (docs/architecture.md, "Saga semantics").
      if (error instanceof WrongExpectedRevisionError) return { result: 'already-started', sagaId };
      throw error;
    }
  };

  /** The instance a reply or a cancellation request concerns, or why it concerns none. */
  const instanceOf = (event: IncomingEvent): { sagaId: string } | { why: string } => {
    const cancels = cancelTypes.has(event.type);
    if (!cancels && (!replyTypes.has(event.type) || !event.metadata.commandId)) return { why: `${event.type} answers no command of ${definition.name}` };
    const key = definition.association(event);
    return key === undefined ? { why: `${event.type} names no ${definition.name} instance` } : { sagaId: sagaIdOf(definition.name, key) };
  };

  /** A reply, decided by the engine; a cancellation request, by `cancel` of the instance's own version. */
  const decideInput = (event: IncomingEvent, state: StartedSaga<Data>, now: string): { input: SagaInput | CancelInput; events: SagaEvent<Data>[] } => {
    const version = versions.of(state.version, state.sagaId);
    if (cancelTypes.has(event.type)) {
      const input = { type: 'Cancel', request: event, now } as const;
      return { input, events: cancel(version.definition, state, input) };
    }
    const input = { type: 'HandleReply', reply: event, now } as const;
    return { input, events: version.decider.decide(input, state) };
  };

  const react = async (event: IncomingEvent): Promise<SagaHandled<Data>> => {
    const instance = instanceOf(event);
    if ('why' in instance) return { result: 'ignored', why: instance.why };
    const { sagaId } = instance;
    for (let attempt = 0; ; attempt++) {
      // First from memory, without a read: the append expects the remembered revision, so a
      // stale memory fails it and the next attempt reads; a decision to do nothing, or a
      // throw, is only taken on a state just read.
      const remembered = attempt === 0 ? loaded.get(sagaId) : undefined;
      const { state, revision } = remembered ?? (await load(sagaId));
      if (state.status === 'not-started') {
        if (remembered) continue;
        return { result: 'ignored', sagaId, why: 'no such instance' };
      }
      let decision: { input: SagaInput | CancelInput; events: SagaEvent<Data>[] };
      try {
        decision = decideInput(event, state, clock().toISOString());
      } catch (error) {
        if (remembered) continue;
        throw error;
      }
      const { input, events } = decision;
      if (events.length === 0) {
        if (remembered) continue;
        return { result: 'ignored', sagaId, why: `${event.type} ${event.id} was recorded already, or changes nothing now` };
      }
      try {
        const { written, nextExpectedRevision } = await append(sagaId, event, state.correlationId, events, revision);
        // Not written: the same event, handled concurrently, was recorded first.
        if (!written) return { result: 'ignored', sagaId, why: `${event.type} ${event.id} was recorded already` };
        remember(sagaId, state, events, nextExpectedRevision);
        recorder?.({ sagaId, version: state.version, revision: revision + 1n, input, decided: events });
        const [first] = events;
        return first?.type === 'ReplyIgnored'
          ? { result: 'ignored', sagaId, why: `${first.data.why}: ${first.data.detail}`, recorded: true }
          : { result: 'reacted', sagaId, events };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= retries) throw error;
      }
    }
  };

  /**
   * An operator's action, decided on the instance just read and appended at its revision
   * (read again on a conflict). Throws SagaInstanceNotFound, or SagaOperationRefused when
   * the state does not allow it.
   */
  const operateOn = async (key: string, request: OperatorRequest): Promise<{ state: StartedSaga<Data>; revision: bigint }> => {
    const sagaId = sagaIdOf(definition.name, key);
    const cause = { id: randomUUID() };
    for (let attempt = 0; ; attempt++) {
      const { state, revision } = await load(sagaId);
      if (state.status === 'not-started') throw new SagaInstanceNotFound(`no ${definition.name} saga ${sagaId}`);
      const input = { type: 'Operate', ...request, id: cause.id, now: clock().toISOString() } as const;
      const events = operate(versions.of(state.version, sagaId).definition, state, input);
      try {
        const { nextExpectedRevision } = await append(sagaId, cause, state.correlationId, events, revision);
        remember(sagaId, state, events, nextExpectedRevision);
        recorder?.({ sagaId, version: state.version, revision: revision + 1n, input, decided: events });
        return { state: events.reduce(decider.evolve, state) as StartedSaga<Data>, revision: nextExpectedRevision };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= retries) throw error;
      }
    }
  };

  /**
   * Wakes an instance at the clock's time (its scheduler calls it): a sending whose deadline
   * passed times out, a retry whose time came goes out. Decided on the instance just read;
   * the events, none when nothing was due (a wake-up repeated, or one another orchestrator
   * answered first).
   */
  const wakeInstance = async (sagaId: string): Promise<SagaEvent<Data>[]> => {
    for (let attempt = 0; ; attempt++) {
      const { state, revision } = await load(sagaId);
      if (state.status === 'not-started') return [];
      const now = clock().toISOString();
      const cause = { id: eventIdFor(`${sagaId}/wake`, Date.parse(now)), now };
      const events = wake(versions.of(state.version, sagaId).definition, state, cause);
      if (events.length === 0) return [];
      try {
        const { written, nextExpectedRevision } = await append(sagaId, cause, state.correlationId, events, revision);
        if (!written) return [];
        remember(sagaId, state, events, nextExpectedRevision);
        recorder?.({ sagaId, version: state.version, revision: revision + 1n, input: { type: 'Wake', ...cause }, decided: events });
        return events;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= retries) throw error;
      }
    }
  };

  return {
    /** A trigger starts an instance; any other event is treated as a possible reply or cancellation request. */
    handle: (event: IncomingEvent): Promise<SagaHandled<Data>> => (event.type === definition.trigger.type ? start(event) : react(event)),
    /**
     * The instance an event concerns, for its consumer to order and park by (`sequenceBy`):
     * replies arrive keyed by the replying aggregate (a sku), which many instances share,
     * and a reply parked for one instance must not hold back the others'. An event that
     * concerns no instance is a sequence of its own.
     */
    sequenceOf: (event: IncomingEvent): string => {
      if (event.type === definition.trigger.type) return instanceFor(definition, event).sagaId;
      const instance = instanceOf(event);
      return 'sagaId' in instance ? instance.sagaId : event.id;
    },
    /**
     * Throws (UnregisteredSagaVersion) when an instance that has not ended runs on a version
     * this runner lacks: a service calls it before it starts, and refuses to start.
     */
    checkVersions: () => versions.checkInFlight(store),
    wake: wakeInstance,
    /** An operator's retry, forced compensation or resolution of the instance with this business key. */
    operate: operateOn,
    /** An instance's state and revision by business key (revision -1n: no such instance). */
    read: (key: string) => load(sagaIdOf(definition.name, key)),
  };
};

export type SagaRunner<Data> = ReturnType<typeof sagaRunner<Data>>;
