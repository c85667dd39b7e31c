import path from 'node:path';
import { readSagaFixtures, replayHistory } from '@ordo/saga';
import { orderPlacement, orderPlacementVersions } from './definition';

// The replay check (docs/sagas.md, "Replay check"): every recorded instance decided again by
// the definitions the service registers. A failure names the instance, the input and the step
// whose decision changed. A change meant is a new version, with fixtures of its own
// (`npm run fixtures:sagas`); one not meant breaks the instances running today.
const fixtures = readSagaFixtures(path.join(__dirname, '..', 'fixtures'));

describe('order placement replays its recorded instances', () => {
  it('has fixtures of the version new instances start on, the first of the versions registered', () => {
    expect(orderPlacementVersions[0]).toBe(orderPlacement);
    expect(fixtures.filter(({ fixture }) => fixture.version === orderPlacement.version).length).toBeGreaterThan(0);
  });

  it.each(fixtures.map(({ file, fixture }) => [file, fixture] as const))('%s: every input decided as recorded', (_file, fixture) => {
    expect(replayHistory(orderPlacementVersions, fixture)?.message).toBeUndefined();
  });
});
