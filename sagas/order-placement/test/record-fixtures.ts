// Records the replay check's fixtures (docs/sagas.md, "Replay check"): `npm run fixtures:sagas`
// runs every scenario of a version (scenarios.ts, scenarios-v2.ts, scenarios-v3.ts) on the shop
// (shop.ts) and writes one fixture per instance to fixtures/v<version>/: the version new
// instances start on, or the one `--version <n>` names. With `--cancellation` it records the
// order-cancellation saga's (scenarios-cancellation.ts, on orders placed with version 2) to
// fixtures/order-cancellation/v<version>/, for its newest version or the one `--version <n>` names. A version's fixtures are
// recorded once: a decision that changes on purpose is a new version, so this refuses to write
// over them unless given --replace.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { fixtureOf, fixtureText, replayHistory, sagaIdOf, type SagaFixture } from '@ordo/saga';
import { orderCancellation, orderCancellationVersions } from '../src/cancellation';
import { orderPlacement, orderPlacementVersion, orderPlacementVersions } from '../src/versions';
import { orderIdOf, scenarios as scenariosV1, type Scenario } from './scenarios';
import { scenariosCancellationV1, scenariosCancellationV2 } from './scenarios-cancellation';
import { scenariosV2 } from './scenarios-v2';
import { scenariosV3 } from './scenarios-v3';
import { openShop, type Shop } from './shop';

const SCENARIOS: Record<number, Scenario[]> = { 1: scenariosV1, 2: scenariosV2, 3: scenariosV3 };
const CANCELLATION_SCENARIOS: Record<number, Scenario[]> = { 1: scenariosCancellationV1, 2: scenariosCancellationV2 };
const cancellation = process.argv.includes('--cancellation');
const named = process.argv.indexOf('--version');
const version = named < 0 ? undefined : Number(process.argv[named + 1]);
const cancellationVersion = (wanted: number) => {
  const found = orderCancellationVersions.find((each) => each.version === wanted);
  if (!found)
    throw new Error(`order cancellation has no version ${wanted}: its versions are ${orderCancellationVersions.map((each) => each.version).join(', ')}`);
  return found;
};
const placement = !cancellation && version !== undefined ? orderPlacementVersion(version) : orderPlacement;
/** The saga whose instances are recorded, how its fixtures replay, and the placement version the shop places orders on (a cancellation's on version 2). */
const recorded = cancellation
  ? {
      definition: version === undefined ? orderCancellation : cancellationVersion(version),
      replay: (fixture: SagaFixture) => replayHistory(orderCancellationVersions, fixture),
      placing: orderPlacementVersion(2),
    }
  : { definition: placement, replay: (fixture: SagaFixture) => replayHistory(orderPlacementVersions, fixture), placing: placement };
const { definition } = recorded;
const scenarios = (cancellation ? CANCELLATION_SCENARIOS : SCENARIOS)[definition.version] ?? [];
const folder = path.join(__dirname, '..', 'fixtures', ...(cancellation ? ['order-cancellation'] : []), `v${definition.version}`);

/** The scenario's instance as a fixture, once it is certain to be the instance's whole stream and to replay. */
const fixtureFor = async (shop: Shop, scenario: Scenario): Promise<SagaFixture> => {
  const { name, what } = scenario;
  const sagaId = sagaIdOf(definition.name, orderIdOf(scenario));
  const fixture = fixtureOf(
    shop.decisions.filter((decision) => decision.sagaId === sagaId),
    what,
  );
  const stream: { type: string; data: unknown }[] = [];
  for await (const { type, data } of shop.sagas.readStream(sagaId)) stream.push({ type, data });
  if (
    !isDeepStrictEqual(
      JSON.parse(JSON.stringify(stream)),
      fixture.history.flatMap(({ decided }) => decided),
    )
  )
    throw new Error(`${name}: the decisions recorded for ${sagaId} are not its stream`);
  const difference = recorded.replay(fixture);
  if (difference) throw new Error(`${name}: the recording does not replay (is a decision not deterministic?): ${difference.message}`);
  return fixture;
};

const main = async () => {
  const written = existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.json')) : [];
  if (written.length > 0 && !process.argv.includes('--replace'))
    throw new Error(
      `${folder} holds the fixtures of version ${definition.version} already. A decision changed on purpose is a new version ` +
        '(docs/sagas.md, "Replay check"); to record this version again all the same, pass --replace',
    );
  if (scenarios.length === 0) throw new Error(`${definition.name}'s version ${definition.version} has no scenarios to record`);
  const shop = await openShop({ definition: recorded.placing });
  const fixtures: { name: string; fixture: SagaFixture }[] = [];
  try {
    for (const scenario of scenarios) {
      console.log(`recording ${scenario.name}: ${scenario.what}`);
      await scenario.run(shop, orderIdOf(scenario));
    }
    const recorded = shop.decisions.length;
    const delivered = await shop.deliverEverythingAgain();
    if (shop.decisions.length !== recorded) throw new Error(`delivering ${delivered} events again appended ${shop.decisions.length - recorded} decisions`);
    console.log(`delivered all ${delivered} events of the participants again: nothing appended`);
    for (const scenario of scenarios) fixtures.push({ name: scenario.name, fixture: await fixtureFor(shop, scenario) });
  } finally {
    await shop.close();
  }

  mkdirSync(folder, { recursive: true });
  for (const file of written) if (!fixtures.some(({ name }) => `${name}.json` === file)) console.log(`kept ${file}: no scenario records it now`);
  for (const { name, fixture } of fixtures) {
    const file = path.join(folder, `${name}.json`);
    writeFileSync(file, await format(fixtureText(fixture), { ...(await resolveConfig(file)), filepath: file }));
    console.log(`wrote ${path.relative(process.cwd(), file)}: ${fixture.history.length} decisions`);
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
