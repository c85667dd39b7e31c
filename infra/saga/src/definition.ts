// The definition DSL: a saga reads as a table, one step a line, each step's
// command (an endpoint of the target's contract) and its compensation beside it.
import type { CommandDataOf, CommandEndpoint } from '@ordo/messaging';
import { failureReasons, type ReasonOf, type ReasonReaders } from './reasons';

/** An event of another context as the saga reads it off a topic: its trigger, or a reply. */
export interface IncomingEvent {
  id: string;
  type: string;
  data: unknown;
  /** `commandId` names the command an event answers: the handler copies it from the command. */
  metadata: { correlationId: string; causationId?: string; commandId?: string };
}

/**
 * One command a step sends (per line, when it fans out): an endpoint of the target's
 * contract and its data, built from the step's context. The data is the command's data, and
 * a top-level field the command lacks does not compile either (`Built` is what the builder
 * returns, so that its extra keys can be refused: TypeScript checks none on a value it
 * infers). The replies are the endpoint's: a step names none, and reads a failure's reason
 * only from failures the endpoint has.
 */
export interface Invocation<Context, Endpoint extends CommandEndpoint = CommandEndpoint, Built = CommandDataOf<Endpoint>> {
  endpoint: Endpoint;
  data: (context: Context) => Built & Record<Exclude<keyof Built, keyof CommandDataOf<Endpoint>>, never>;
  /** Default: each failure's `reason`. */
  reason?: ReasonReaders<Endpoint>;
}

/** What a step's functions see: the saga's data, and for a fan-out step the line at hand. */
export interface StepContext<Data> {
  saga: Data;
}
export interface LineContext<Data, Line> extends StepContext<Data> {
  line: Line;
}
/** A compensation also sees why the saga failed (RejectOrder carries it). */
export type Compensating<Context> = Context & { reason: string };

/**
 * A step's deadline and retries (docs/sagas.md, "Deadlines and retries"), for its action and
 * its compensation alike.
 */
export interface StepPolicies {
  /** How long a sending waits for a reply before it times out. Absent: it waits until an operator acts. */
  timeoutMs?: number;
  /**
   * The action's: how often it is sent before a timeout compensates (`attempts`, default 1;
   * before the pivot only: at and after it, a timed-out action is sent until a definite reply).
   */
  retry?: RetryPolicy;
  /**
   * The compensation's: how often it is sent, each time in a new round, before a refusal
   * leaves the instance failed (`attempts`, default 3). A timed-out compensation is sent
   * again until a definite reply.
   */
  compensationRetry?: RetryPolicy;
}

/** The wait before each retry doubles from `backoffMs` (default 1 s) up to `maxBackoffMs` (default 60 s). */
export interface RetryPolicy {
  /** `Number.POSITIVE_INFINITY`: sent until a definite reply, however many deadlines pass. */
  attempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** A step's action and compensation: the endpoint each names, and what each data builder returns. */
export interface StepCommands {
  action: CommandEndpoint;
  actionData: unknown;
  compensation: CommandEndpoint;
  compensationData: unknown;
}

/**
 * Whether a step applies to an instance, decided on its data: a step whose `when` the data
 * fail (a payment step of a free order) has no lines, so it sends nothing, undoes nothing
 * in a rollback, and the saga goes on with the next step. Absent: it applies to every instance.
 */
export interface StepCondition<Data> {
  when?: (saga: Data) => boolean;
}

export interface StepOptions<Context, Commands extends StepCommands = StepCommands> extends StepPolicies {
  /** Absent for a step that only registers a compensation (Eventuate's "order created / reject order"). */
  action?: Invocation<Context, Commands['action'], Commands['actionData']>;
  compensation?: Invocation<Compensating<Context>, Commands['compensation'], Commands['compensationData']>;
  /** The point of no return: from this step on nothing is compensated. */
  pivot?: boolean;
}

export interface FanOutOptions<Data, Line, Commands extends StepCommands = StepCommands>
  extends StepOptions<LineContext<Data, Line>, Commands>, StepCondition<Data> {
  /** The items of the saga's data the step sends one command for (order lines). */
  over: (saga: Data) => readonly Line[];
  /** A line's key, unique within the step: it names the line in events and command ids. */
  key: (line: Line) => string;
}

/** A step's command with its context resolved: what the engine calls. */
export interface StepCommand<Data> {
  target: string;
  command: string;
  success: readonly string[];
  failure: Readonly<Record<string, ReasonOf>>;
  build(saga: Data, line: string | undefined, reason: string): { aggregateId: string; data: unknown };
}

/** A step as the engine sees it; build one with `step` or `fanOut`. */
export interface SagaStep<Data> extends StepPolicies {
  name: string;
  pivot: boolean;
  fanOut: boolean;
  /** The step's line keys for these data; `[undefined]` for a step that does not fan out; none when its `when` fails them. */
  lines(saga: Data): (string | undefined)[];
  action?: StepCommand<Data>;
  compensation?: StepCommand<Data>;
}

export interface SagaDefinition<Data> {
  /** The instance stream's category: `<name>-<businessKey>`. No dash. */
  name: string;
  /** Recorded in SagaStarted: an instance finishes on the version it started with. */
  version: number;
  /** The event that starts an instance, the saga's data taken from it, and its business key. */
  trigger: { type: string; data: (event: IncomingEvent) => Data; key: (saga: Data) => string };
  /** The business key of the instance a reply belongs to; undefined when it belongs to none. */
  association: (reply: IncomingEvent) => string | undefined;
  steps: readonly SagaStep<Data>[];
  /**
   * An event of another context that asks the instance to stop (an order's owner cancelling
   * it), found by `association` like a reply: before the pivot the instance compensates with
   * `reason(event)`; from the pivot on it changes nothing. Absent: no event cancels it.
   */
  cancelledBy?: { type: string; reason: (event: IncomingEvent) => string };
}

export class SagaDefinitionError extends Error {
  override name = 'SagaDefinitionError';
}

/** Thrown by `refuseStep`: the action's command cannot be built from the saga's data. */
export class StepRefused extends Error {
  override name = 'StepRefused';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * For an action's data builder that cannot build its command from the saga's data (an
 * order without a card token to authorize): the step sends nothing and fails with `reason`,
 * as a refusal would. Before the pivot the saga compensates; at or after it, it fails.
 * Typed `never`, so it stands in for the missing value: `cardToken: saga.cardToken ?? refuseStep('...')`.
 */
export const refuseStep = (reason: string): never => {
  throw new StepRefused(reason);
};

const resolve = <Data, Context, Endpoint extends CommandEndpoint, Built>(
  { endpoint, data, reason }: Invocation<Context, Endpoint, Built>,
  contextOf: (saga: Data, line: string | undefined, reason: string) => Context,
): StepCommand<Data> => ({
  target: endpoint.target,
  command: endpoint.command,
  success: Object.keys(endpoint.success),
  failure: failureReasons(endpoint, reason),
  build: (saga, line, why) => {
    const command = data(contextOf(saga, line, why));
    return { aggregateId: endpoint.aggregateId(command), data: command };
  },
});

const policies = ({ timeoutMs, retry, compensationRetry }: StepPolicies): StepPolicies => ({
  ...(timeoutMs !== undefined && { timeoutMs }),
  ...(retry && { retry }),
  ...(compensationRetry && { compensationRetry }),
});

// A step the data do not pass is one with no lines: the engine skips it going forward and has nothing of it to undo.
const applies = <Data>({ when }: StepCondition<Data>, saga: Data): boolean => when === undefined || when(saga);

/** A step that sends one command (or none, only registering a compensation). */
export const step = <
  Data,
  Action extends CommandEndpoint,
  ActionData extends CommandDataOf<Action>,
  Compensation extends CommandEndpoint,
  CompensationData extends CommandDataOf<Compensation>,
>(
  name: string,
  options: StepOptions<StepContext<Data>, { action: Action; actionData: ActionData; compensation: Compensation; compensationData: CompensationData }> &
    StepCondition<Data>,
): SagaStep<Data> => ({
  name,
  pivot: options.pivot ?? false,
  fanOut: false,
  ...policies(options),
  lines: (saga) => (applies(options, saga) ? [undefined] : []),
  action: options.action && resolve(options.action, (saga: Data) => ({ saga })),
  compensation: options.compensation && resolve(options.compensation, (saga: Data, _line, reason) => ({ saga, reason })),
});

/** A step that sends one command per item of a list in the saga's data; it succeeds when every line did. */
export const fanOut = <
  Data,
  Line,
  Action extends CommandEndpoint,
  ActionData extends CommandDataOf<Action>,
  Compensation extends CommandEndpoint,
  CompensationData extends CommandDataOf<Compensation>,
>(
  name: string,
  options: FanOutOptions<Data, Line, { action: Action; actionData: ActionData; compensation: Compensation; compensationData: CompensationData }>,
): SagaStep<Data> => {
  const lineOf = (saga: Data, key: string | undefined): Line => {
    const found = options.over(saga).find((line) => options.key(line) === key);
    if (found === undefined) throw new SagaDefinitionError(`step ${name} has no line ${String(key)}`);
    return found;
  };
  return {
    name,
    pivot: options.pivot ?? false,
    fanOut: true,
    ...policies(options),
    lines: (saga) => {
      if (!applies(options, saga)) return [];
      const keys = options.over(saga).map(options.key);
      const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
      if (repeated !== undefined) throw new SagaDefinitionError(`step ${name} has two lines keyed ${repeated}`);
      return keys;
    },
    action: options.action && resolve(options.action, (saga: Data, key) => ({ saga, line: lineOf(saga, key) })),
    compensation: options.compensation && resolve(options.compensation, (saga: Data, key, reason) => ({ saga, line: lineOf(saga, key), reason })),
  };
};

/** Checks the table once, where it is written, rather than when an instance trips over it. */
export const defineSaga = <Data>(definition: SagaDefinition<Data>): SagaDefinition<Data> => {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(definition.name))
    throw new SagaDefinitionError(`saga name '${definition.name}' must be letters and digits (it is a stream category)`);
  const names = definition.steps.map((each) => each.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new SagaDefinitionError(`saga ${definition.name} has two steps named ${repeated}`);
  if (definition.steps.filter((each) => each.pivot).length > 1) throw new SagaDefinitionError(`saga ${definition.name} has more than one pivot`);
  const whole = (value: number | undefined, least: number) => value === undefined || (Number.isInteger(value) && value >= least);
  // Attempts without a limit: sent until answered (no event records the policy, only the attempt at hand).
  const attempts = (value: number | undefined) => value === Number.POSITIVE_INFINITY || whole(value, 1);
  for (const { name, timeoutMs, retry, compensationRetry } of definition.steps) {
    if (!whole(timeoutMs, 1)) throw new SagaDefinitionError(`step ${name} of saga ${definition.name}: timeoutMs must be a whole number above 0`);
    for (const policy of [retry, compensationRetry])
      if (!attempts(policy?.attempts) || !whole(policy?.backoffMs, 0) || !whole(policy?.maxBackoffMs, 0))
        throw new SagaDefinitionError(
          `step ${name} of saga ${definition.name}: a retry policy takes whole numbers, attempts at least 1 (or Number.POSITIVE_INFINITY: until answered)`,
        );
  }
  return definition;
};

/** An association by a field of the reply's data, e.g. `byDataField('orderId')`. */
export const byDataField =
  (field: string) =>
  (reply: IncomingEvent): string | undefined => {
    const value = typeof reply.data === 'object' && reply.data !== null ? (reply.data as Record<string, unknown>)[field] : undefined;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };

/** Where the pivot is: steps from this index on are never compensated. */
export const pivotIndex = <Data>(definition: SagaDefinition<Data>): number => {
  const index = definition.steps.findIndex((each) => each.pivot);
  return index < 0 ? definition.steps.length : index;
};
