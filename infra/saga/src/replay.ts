// The replay check (docs/sagas.md, "Replay check"): a recorded instance's inputs decided again
// by the definition of the version it ran on. Each input is decided on the state the recorded
// events before it fold to, so the first difference is the decision a change altered, not its
// echoes further on.
import { isDeepStrictEqual } from 'node:util';
import type { SagaDefinition } from './definition';
import type { SagaFixture } from './fixtures';
import { evolve, initialState, type SagaEvent, type SagaState } from './instance';
import { decideOn, type DecisionInput } from './recording';

/** Where a definition decides otherwise than the fixture recorded. */
export interface ReplayDifference {
  instance: string;
  /** The input's position in the fixture's history (0: the trigger). */
  index: number;
  /** The step the differing event names; else the step whose outline differs, or whose command the input answers. */
  step?: string;
  /** The first event that differs, as recorded (absent: the definition now decides more). */
  expected?: unknown;
  /** That event as decided now (absent: it decides fewer), or the error the decision threw. */
  actual?: unknown;
  /** The above in one sentence, for a failing test to show. */
  message: string;
}

type Recorded = SagaFixture['history'][number]['decided'];

const described = (input: DecisionInput): string => {
  switch (input.type) {
    case 'StartSaga':
      return `the trigger ${input.trigger.type}`;
    case 'HandleReply':
      return `the reply ${input.reply.type}`;
    case 'Wake':
      return `a wake-up at ${input.now}`;
    case 'Operate':
      return `an operator's ${input.action}`;
    case 'Cancel':
      return `the cancellation request ${input.request.type}`;
  }
};

/** A recorded or decided event's data, as far as it is an object. */
const dataOf = (event: unknown): Record<string, unknown> | undefined => {
  const data = typeof event === 'object' && event !== null && 'data' in event ? event.data : undefined;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : undefined;
};
const named = (value: unknown, field: string): string | undefined => {
  const name = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  return typeof name === 'string' ? name : undefined;
};
const positions = (...lists: readonly unknown[][]) => Array.from({ length: Math.max(...lists.map((list) => list.length)) }, (_, index) => index);

/** For two SagaStarted: the first step whose outline differs (a step added, removed, renamed or changed). */
const outlineStep = (expected: unknown, actual: unknown): string | undefined => {
  const outlines = (event: unknown) => {
    const steps = dataOf(event)?.steps;
    return Array.isArray(steps) ? (steps as unknown[]) : [];
  };
  const [before, now] = [outlines(expected), outlines(actual)];
  const at = positions(before, now).find((index) => !isDeepStrictEqual(before[index], now[index]));
  return at === undefined ? undefined : (named(before[at], 'name') ?? named(now[at], 'name'));
};

/** The step of the command a reply answers. */
const answeredStep = <Data>(state: SagaState<Data>, input: DecisionInput): string | undefined =>
  input.type === 'HandleReply' && state.status !== 'not-started'
    ? state.commands.find((sent) => sent.commandId === input.reply.metadata.commandId)?.step
    : undefined;

const differs = (fixture: SagaFixture, index: number, step: string | undefined, found: Pick<ReplayDifference, 'expected' | 'actual'>, why: string) => ({
  instance: fixture.instance,
  index,
  ...(step !== undefined && { step }),
  ...found,
  message: `${fixture.instance}, input ${index}${step === undefined ? '' : `, step ${step}`}: ${why}`,
});

/** The first recorded event the decision differs at, or undefined when it decided the same. */
const compare = (recorded: Recorded, decided: unknown[]) => {
  const at = positions(recorded, decided).find((index) => !isDeepStrictEqual(recorded[index], decided[index]));
  return at === undefined ? undefined : { at, expected: recorded[at], actual: decided[at] };
};

/**
 * Decides every recorded input again with the definition of the fixture's version, on the
 * state before it, and returns the first difference; undefined when every decision is the same.
 */
export const replayHistory = <Data>(definitions: readonly SagaDefinition<Data>[], fixture: SagaFixture): ReplayDifference | undefined => {
  const definition = definitions.find((each) => each.name === fixture.saga && each.version === fixture.version);
  if (!definition) {
    const known = definitions.map((each) => `${each.name} ${each.version}`).join(', ');
    return differs(fixture, 0, undefined, {}, `no definition of ${fixture.saga} version ${fixture.version} (given: ${known}); drop its fixtures with it`);
  }
  let state = initialState<Data>();
  for (const [index, { input, decided: recorded }] of fixture.history.entries()) {
    let decided: unknown[];
    try {
      // Through JSON, as the fixture was written: a field left undefined is no difference.
      decided = JSON.parse(JSON.stringify(decideOn(definition, state, input))) as unknown[];
    } catch (error) {
      const thrown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return differs(fixture, index, answeredStep(state, input), { actual: thrown }, `deciding ${described(input)} throws ${thrown}`);
    }
    const difference = compare(recorded, decided);
    if (difference) {
      const { at, expected, actual } = difference;
      const step = named(dataOf(expected), 'step') ?? named(dataOf(actual), 'step') ?? outlineStep(expected, actual) ?? answeredStep(state, input);
      const why = `${described(input)} decides ${JSON.stringify(actual) ?? 'nothing more'} as event ${at}, where the fixture has ${JSON.stringify(expected) ?? 'nothing more'}`;
      return differs(fixture, index, step, { ...(expected !== undefined && { expected }), ...(actual !== undefined && { actual }) }, why);
    }
    state = (recorded as SagaEvent<Data>[]).reduce(evolve<Data>, state);
  }
  return undefined;
};
