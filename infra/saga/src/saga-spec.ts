// Given / when / then for a saga definition (Eventuate's SagaUnitTestSupport):
// given the instance's history, when a trigger or reply, then these commands are issued,
// or it completes, or it is rolled back. Over the pure core: no store, no bus.
// node:assert rather than jest's expect, so the kit carries no test framework into the package.
import assert from 'node:assert/strict';
import { eventIdFor } from '@ordo/eventstore';
import { sagaDecider, startSaga } from './decide';
import type { IncomingEvent, SagaDefinition } from './definition';
import { cancel } from './cancel';
import { wake } from './deadlines';
import { operate, type OperatorAction } from './operate';
import { commandIdFor, type CommandKind, type IgnoredWhy, type SagaEvent, type SagaState } from './instance';

/** Which command a reply answers: by step, line and kind (as the engine derives its id), or by id. */
export type ReplyTarget = { step: string; line?: string; kind?: CommandKind } | { commandId: string };

export type TriggerStimulus = { stimulus: 'trigger'; event: IncomingEvent };
export type StartedStimulus<Data> = { stimulus: 'started'; data: Data; correlationId: string };
export type ReplyStimulus = { stimulus: 'reply'; to: ReplyTarget; type: string; data: unknown };
export type OperatorStimulus = { stimulus: 'operator'; action: OperatorAction; by: string; reason: string };
export type ElapseStimulus = { stimulus: 'elapse'; ms: number };
export type CancellationStimulus = { stimulus: 'cancellation'; type: string; data: unknown };
/** An input to the saga, or a shorthand for one in a history. */
export type Stimulus<Data = unknown> = TriggerStimulus | StartedStimulus<Data> | ReplyStimulus | OperatorStimulus | ElapseStimulus | CancellationStimulus;

/** A command as a test expects it issued. */
export interface ExpectedCommand {
  target: string;
  type: string;
  aggregateId: string;
  data: unknown;
}

const CORRELATION = 'correlation-1';

/** The saga's trigger event (its id derived from its content). */
export const trigger = (type: string, data: unknown, correlationId = CORRELATION): TriggerStimulus => ({
  stimulus: 'trigger',
  event: { id: eventIdFor(`${type}/${JSON.stringify(data)}`, 0), type, data, metadata: { correlationId, causationId: correlationId } },
});

/** An instance started with these data: SagaStarted and its first step's commands. */
export const started = <Data>(data: Data, correlationId = CORRELATION): StartedStimulus<Data> => ({ stimulus: 'started', data, correlationId });

/** A reply of `type` to the command `to` names, e.g. `reply({ step: 'reserveStock', line: 'SKU-1' }, 'StockReserved', {...})`. */
export const reply = (to: ReplyTarget, type: string, data: unknown = {}): ReplyStimulus => ({ stimulus: 'reply', to, type, data });

/** An operator's action, e.g. `operator('retry', 'ops@example', 'courier is back')`. */
export const operator = (action: OperatorAction, by: string, reason: string): OperatorStimulus => ({ stimulus: 'operator', action, by, reason });

/**
 * The clock moves on by `ms`, and the scheduler wakes the instance: what is due by then
 * times out or is sent again. Every stimulus after it happens at the later time.
 */
export const elapse = (ms: number): ElapseStimulus => ({ stimulus: 'elapse', ms });

/** The event the definition's `cancelledBy` names, asking the instance to stop, e.g. `cancellation('OrderCancellationRequested', {...})`. */
export const cancellation = (type: string, data: unknown): CancellationStimulus => ({ stimulus: 'cancellation', type, data });

const replyEvent = (item: ReplyStimulus, state: SagaState): IncomingEvent => {
  const sagaId = state.status === 'not-started' ? 'not-started' : state.sagaId;
  const commandId = 'commandId' in item.to ? item.to.commandId : commandIdFor(sagaId, item.to.step, item.to.line, item.to.kind ?? 'action');
  const correlationId = state.status === 'not-started' ? CORRELATION : state.correlationId;
  return { id: eventIdFor(`${commandId}/${item.type}`, 0), type: item.type, data: item.data, metadata: { correlationId, causationId: commandId, commandId } };
};

const commandsOf = (events: SagaEvent[]): ExpectedCommand[] =>
  events.flatMap((event) =>
    event.type === 'CommandIssued'
      ? [{ target: event.data.target, type: event.data.command.type, aggregateId: event.data.aggregateId, data: event.data.command.data }]
      : [],
  );

type ErrorClass = new (...args: never[]) => Error;

/** The time a stimulus happens at: after every `elapse` before it. */
const timeAfter = (now: string, item: Stimulus<unknown> | SagaEvent<unknown>) =>
  'stimulus' in item && item.stimulus === 'elapse' ? new Date(Date.parse(now) + item.ms).toISOString() : now;

export const sagaSpec = <Data>(definition: SagaDefinition<Data>, { now: start = '2030-01-01T00:00:00.000Z' } = {}) => {
  const decider = sagaDecider(definition);

  const eventsOf = (item: Stimulus<Data>, state: SagaState<Data>, now: string): SagaEvent<Data>[] => {
    switch (item.stimulus) {
      case 'trigger':
        return decider.decide({ type: 'StartSaga', trigger: item.event, now }, state);
      case 'started':
        return startSaga(definition, item.data, item.correlationId, { id: eventIdFor(JSON.stringify(item.data), 0), now });
      case 'reply':
        return decider.decide({ type: 'HandleReply', reply: replyEvent(item, state), now }, state);
      case 'operator': {
        if (state.status === 'not-started') throw new Error('an operator acts on a started instance');
        const id = eventIdFor(`${item.action}/${item.by}/${item.reason}`, 0);
        return operate(definition, state, { type: 'Operate', action: item.action, by: item.by, reason: item.reason, id, now });
      }
      case 'elapse':
        return state.status === 'not-started' ? [] : wake(definition, state, { id: eventIdFor(`wake/${now}`, 0), now });
      case 'cancellation': {
        if (state.status === 'not-started') return [];
        const request = {
          id: eventIdFor(`${item.type}/${JSON.stringify(item.data)}`, 0),
          type: item.type,
          data: item.data,
          metadata: { correlationId: state.correlationId },
        };
        return cancel(definition, state, { type: 'Cancel', request, now });
      }
      default: {
        const unknown: never = item;
        throw new Error(`unknown stimulus ${JSON.stringify(unknown)}`);
      }
    }
  };

  return {
    given: (history: (SagaEvent<Data> | Stimulus<Data>)[] = []) => {
      const { state, now: then } = history.reduce(
        ({ state: current, now }, item) => {
          const at = timeAfter(now, item);
          return { state: 'stimulus' in item ? eventsOf(item, current, at).reduce(decider.evolve, current) : decider.evolve(current, item), now: at };
        },
        { state: decider.initialState(), now: start },
      );
      return {
        /** The instance as the history left it, for checks the kit does not offer. */
        state: () => state,
        when: (stimulus: Stimulus<Data>) => {
          const now = timeAfter(then, stimulus);
          const run = () => eventsOf(stimulus, state, now);
          const last = () => run().at(-1);
          return {
            /** The events decided, for checks the kit does not offer. */
            events: run,
            /** Exactly these commands, in this order (other events may come with them). */
            thenIssues: (expected: ExpectedCommand[]) => {
              assert.ok(expected.length > 0, 'thenIssues needs commands: use thenWaits or thenNothing');
              assert.deepStrictEqual(commandsOf(run()), expected);
            },
            /** The reply is recorded and nothing follows yet (other lines are still pending). */
            thenWaits: () =>
              assert.deepStrictEqual(
                run().map((event) => event.type),
                ['ReplyReceived'],
              ),
            thenCompleted: () => assert.deepStrictEqual(last()?.type, 'SagaCompleted'),
            thenRolledBack: (reason: string) => assert.deepStrictEqual(last(), { type: 'SagaRolledBack', data: { reason, at: now } }),
            /** Stopped for an operator (a refused compensation, a refusal at or after the pivot), its reason matching. */
            thenFailed: (reason: RegExp) => {
              const failed = last();
              assert.ok(failed?.type === 'SagaFailed', `expected SagaFailed, decided ${JSON.stringify(run().map((event) => event.type))}`);
              assert.match(failed.data.reason, reason);
            },
            /** Recorded as ReplyIgnored, and nothing else: a late, duplicate or unknown reply. */
            thenIgnores: (why: IgnoredWhy) => {
              const events = run();
              assert.deepStrictEqual(
                events.map((event) => (event.type === 'ReplyIgnored' ? `ReplyIgnored:${event.data.why}` : event.type)),
                [`ReplyIgnored:${why}`],
              );
            },
            /** Nothing recorded: a redelivered reply, no instance, or a duplicate trigger. */
            thenNothing: () => assert.deepStrictEqual(run(), []),
            /** The event types decided, in order. */
            thenRecords: (types: SagaEvent['type'][]) =>
              assert.deepStrictEqual(
                run().map((event) => event.type),
                types,
              ),
            thenThrows: (error: ErrorClass, message?: RegExp) =>
              assert.throws(run, (thrown: unknown) => thrown instanceof error && (!message || message.test(thrown.message))),
          };
        },
      };
    },
  };
};
