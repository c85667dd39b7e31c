import path from 'node:path';
import { readSagaFixtures, replayHistory } from '@ordo/saga';
import { orderPlacementVersions } from './versions';

// The replay check (docs/sagas.md, "Replay check"): every recorded instance decided again by
// the definitions the service registers. A failure names the instance, the input and the step
// whose decision changed. A change meant is a new version, with fixtures of its own
// (`npm run fixtures:sagas`); one not meant breaks the instances running today.
const fixtures = readSagaFixtures(path.join(__dirname, '..', 'fixtures'));

describe('order placement replays its recorded instances', () => {
  // Whichever version new instances start on (ORDO_ORDER_PLACEMENT_VERSION), its decisions are checked.
  it.each(orderPlacementVersions.map((each) => each.version))('has fixtures of version %i, which the service registers', (version) => {
    expect(fixtures.filter(({ fixture }) => fixture.version === version).length).toBeGreaterThan(0);
  });

  it.each(fixtures.map(({ file, fixture }) => [file, fixture] as const))('%s: every input decided as recorded', (_file, fixture) => {
    expect(replayHistory(orderPlacementVersions, fixture)?.message).toBeUndefined();
  });
});
