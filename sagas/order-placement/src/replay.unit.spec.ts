import path from 'node:path';
import { readSagaFixtures, replayHistory, type SagaFixture } from '@ordo/saga';
import { orderCancellation, orderCancellationVersions } from './cancellation';
import { orderPlacement, orderPlacementVersions } from './versions';

// The replay check (docs/sagas.md, "Replay check"): every recorded instance decided again by
// the definitions the service registers. A failure names the instance, the input and the step
// whose decision changed. A change meant is a new version, with fixtures of its own
// (`npm run fixtures:sagas`); one not meant breaks the instances running today.
const fixtures = readSagaFixtures(path.join(__dirname, '..', 'fixtures'));

/** Each saga the service runs, by the name its fixtures record, with every version it registers. */
const SAGAS: Record<string, (fixture: SagaFixture) => ReturnType<typeof replayHistory>> = {
  [orderPlacement.name]: (fixture) => replayHistory(orderPlacementVersions, fixture),
  [orderCancellation.name]: (fixture) => replayHistory(orderCancellationVersions, fixture),
};
const REGISTERED = [...orderPlacementVersions, ...orderCancellationVersions].map((each) => [each.name, each.version] as const);

describe('the order sagas replay their recorded instances', () => {
  // Whichever version new instances start on (ORDO_ORDER_PLACEMENT_VERSION), its decisions are checked.
  it.each(REGISTERED)('has fixtures of %s version %i, which the service registers', (saga, version) => {
    expect(fixtures.filter(({ fixture }) => fixture.saga === saga && fixture.version === version).length).toBeGreaterThan(0);
  });

  it.each(fixtures.map(({ file, fixture }) => [file, fixture] as const))('%s: every input decided as recorded', (_file, fixture) => {
    const replay = SAGAS[fixture.saga];
    if (!replay) throw new Error(`the service runs no saga ${fixture.saga}`);
    expect(replay(fixture)?.message).toBeUndefined();
  });
});
