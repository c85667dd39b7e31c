import { ConfigError, loadConfig } from '@ordo/runtime';
import { orderCancellation, orderCancellationV1 } from './cancellation';
import { orderPlacementConfigShape, sagaDefinitions } from './service';
import { orderPlacement, orderPlacementVersion, orderPlacementVersions, withDeadline } from './versions';

// ORDO_ORDER_PLACEMENT_VERSION picks the version new instances start on, read when the service is created.
const versionIn = (env: NodeJS.ProcessEnv) => loadConfig('sagas', orderPlacementConfigShape, env).ORDO_ORDER_PLACEMENT_VERSION;

describe('the version new order-placement instances start on', () => {
  it('is version 3, the five-step flow that confirms a free order without a payment, unless told otherwise', () => {
    expect(orderPlacement.version).toBe(3);
    expect(versionIn({})).toBe(3);
    expect(versionIn({ ORDO_ORDER_PLACEMENT_VERSION: '' })).toBe(3);
  });

  it('is any version the service registers, by its number', () => {
    for (const { version } of orderPlacementVersions) {
      expect(versionIn({ ORDO_ORDER_PLACEMENT_VERSION: String(version) })).toBe(version);
      expect(orderPlacementVersion(version).version).toBe(version);
    }
  });

  it('refuses to start on anything else, naming the variable and the versions there are', () => {
    const versions = orderPlacementVersions.map((each) => each.version).join(', ');
    for (const value of ['4', '0', 'two', '1.0', ' 1'])
      expect(() => versionIn({ ORDO_ORDER_PLACEMENT_VERSION: value })).toThrow(
        new ConfigError('sagas', [
          { variable: 'ORDO_ORDER_PLACEMENT_VERSION', problem: `expected one of the versions of order placement: ${versions} (got ${JSON.stringify(value)})` },
        ]),
      );
    expect(() => orderPlacementVersion(4)).toThrow(`order placement has no version 4: its versions are ${versions}`);
    expect(versions).toBe('3, 2, 1');
  });
});

// ORDO_ORDER_PLACEMENT_DEADLINE_MS shortens every step's deadline, for a test shop; unset, each step keeps its own.
describe("order placement's deadline setting", () => {
  const deadlineIn = (env: NodeJS.ProcessEnv) => loadConfig('sagas', orderPlacementConfigShape, env).ORDO_ORDER_PLACEMENT_DEADLINE_MS;

  it('is unset unless given, and then a whole number of milliseconds above 0', () => {
    expect(deadlineIn({})).toBeUndefined();
    expect(deadlineIn({ ORDO_ORDER_PLACEMENT_DEADLINE_MS: '2000' })).toBe(2000);
    for (const value of ['0', '-1', '1.5', 'soon']) expect(() => deadlineIn({ ORDO_ORDER_PLACEMENT_DEADLINE_MS: value })).toThrow(ConfigError);
  });

  it('replaces the deadline of every step that has one, in every version, and nothing else', () => {
    for (const definition of orderPlacementVersions) {
      const shortened = withDeadline(definition, 2000);
      expect(shortened.version).toBe(definition.version);
      expect(shortened.steps.map((step) => step.timeoutMs)).toEqual(definition.steps.map((step) => (step.timeoutMs === undefined ? undefined : 2000)));
      const withoutDeadlines = (steps: typeof definition.steps) => steps.map((step) => ({ ...step, timeoutMs: undefined }));
      expect(withoutDeadlines(shortened.steps)).toEqual(withoutDeadlines(definition.steps));
      expect(definition.steps.some((step) => step.timeoutMs === 30_000)).toBe(true);
    }
  });
  it("reaches every saga the service runs: order placement's versions, the newest and the earlier, and order cancellation", () => {
    const deadlines = (definition: { steps: readonly { timeoutMs?: number }[] }) => definition.steps.map((step) => step.timeoutMs);
    const shortenedDeadlines = (definition: { steps: readonly { timeoutMs?: number }[] }) =>
      definition.steps.map((step) => (step.timeoutMs === undefined ? undefined : 2000));
    const newest = orderPlacementVersion(2);
    const shortened = sagaDefinitions(newest, 2000);
    expect(deadlines(shortened.definition)).toEqual(shortenedDeadlines(newest));
    expect(shortened.earlierVersions.map((each) => each.version)).toEqual([1]);
    expect(shortened.earlierVersions.map(deadlines)).toEqual([shortenedDeadlines(orderPlacementVersion(1))]);
    expect(deadlines(shortened.cancellation)).toEqual(shortenedDeadlines(orderCancellation));
    expect(shortened.cancellationEarlierVersions.map(deadlines)).toEqual([shortenedDeadlines(orderCancellationV1)]);
    expect(orderCancellation.steps.some((step) => step.timeoutMs === 30_000)).toBe(true);
    // Unset, the service runs the definitions as registered.
    const registered = sagaDefinitions(newest);
    expect(registered.definition).toBe(newest);
    expect(registered.earlierVersions).toEqual([orderPlacementVersion(1)]);
    expect(registered.cancellation).toBe(orderCancellation);
    expect(registered.cancellationEarlierVersions).toEqual([orderCancellationV1]);
  });
});

// ORDO_SAGA_SCHEDULER_POLL_MS: how often the deadline schedulers look; unset, the scheduler's own default (1 s).
describe("the deadline schedulers' poll setting", () => {
  const pollIn = (env: NodeJS.ProcessEnv) => loadConfig('sagas', orderPlacementConfigShape, env).ORDO_SAGA_SCHEDULER_POLL_MS;

  it('is unset unless given, and then a whole number of milliseconds a timer can wait', () => {
    expect(pollIn({})).toBeUndefined();
    expect(pollIn({ ORDO_SAGA_SCHEDULER_POLL_MS: '3600000' })).toBe(3_600_000);
    expect(pollIn({ ORDO_SAGA_SCHEDULER_POLL_MS: '2147483647' })).toBe(2_147_483_647);
    for (const value of ['0', '-1', '1.5', 'never', '2147483648']) expect(() => pollIn({ ORDO_SAGA_SCHEDULER_POLL_MS: value })).toThrow(ConfigError);
  });
});
