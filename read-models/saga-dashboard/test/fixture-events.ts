import path from 'node:path';
import type { ProjectedEvent } from '@ordo/projections';
import { readSagaFixtures, type SagaFixture } from '@ordo/saga';

// Instances the saga engine recorded (sagas/order-placement/fixtures, docs/sagas.md "Replay
// check"): real histories, every decision in stream order.
const FIXTURES = path.join(__dirname, '..', '..', '..', 'sagas', 'order-placement', 'fixtures');

/** Every recorded instance of order placement's `version` folder: `v3/completed.json` and the like. */
export const recordedInstances = (version = 'v3'): SagaFixture[] => readSagaFixtures(path.join(FIXTURES, version)).map(({ fixture }) => fixture);

export const recordedInstance = (file: string, version = 'v3'): SagaFixture => {
  const found = readSagaFixtures(path.join(FIXTURES, version)).find((each) => each.file === file);
  if (!found) throw new Error(`no recorded instance ${version}/${file}`);
  return found.fixture;
};

/** A fixture's events as a projection reads them: revisions from 0, recorded at their decision's time. */
export const eventsOf = (fixture: SagaFixture): ProjectedEvent[] =>
  fixture.history
    .flatMap(({ input, decided }) => decided.map((event) => ({ ...event, recordedAt: new Date(input.now) })))
    .map((event, revision) => ({
      id: `${fixture.instance}/${revision}`,
      stream: fixture.instance,
      revision: BigInt(revision),
      type: event.type,
      data: event.data,
      recordedAt: event.recordedAt,
      correlationId: `correlation-${fixture.instance}`,
    }));
