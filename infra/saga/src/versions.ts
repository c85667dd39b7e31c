// Versions (docs/sagas.md, "Versions"): an instance finishes on the definition version its
// SagaStarted records, so a new version deploys while the old one's instances drain.
import type { EventStore } from '@ordo/eventstore';
import { sagaDecider, type SagaDecider } from './decide';
import type { SagaDefinition } from './definition';
import { sagaStreamPrefix } from './instance';

/** An instance runs on a version the service no longer has: it must not start until that version is back. */
export class UnregisteredSagaVersion extends Error {
  override name = 'UnregisteredSagaVersion';
}

/** The events that end an instance: after one, its version is no longer needed. */
const ENDINGS = ['SagaCompleted', 'SagaRolledBack', 'SagaResolved'];

/** One saga's registered versions, each with its decider; new instances start on the newest. */
export const sagaVersions = <Data>(definitions: readonly SagaDefinition<Data>[]) => {
  const [first] = definitions;
  if (!first) throw new Error('a saga runner needs at least one definition');
  const byVersion = new Map<number, { definition: SagaDefinition<Data>; decider: SagaDecider<Data> }>();
  for (const definition of definitions) {
    if (definition.name !== first.name) throw new Error(`saga versions of one runner share a name: ${first.name} and ${definition.name}`);
    if (byVersion.has(definition.version)) throw new Error(`saga ${definition.name} has two definitions of version ${definition.version}`);
    byVersion.set(definition.version, { definition, decider: sagaDecider(definition) });
  }
  const newest = Math.max(...byVersion.keys());
  const registered = [...byVersion.keys()].sort((a, b) => a - b);

  return {
    name: first.name,
    newest: byVersion.get(newest) as { definition: SagaDefinition<Data>; decider: SagaDecider<Data> },
    all: [...byVersion.values()],
    /** The version an instance started on; an unregistered one throws (its reply is parked, not lost). */
    of: (version: number, sagaId: string) => {
      const found = byVersion.get(version);
      if (!found)
        throw new UnregisteredSagaVersion(
          `${sagaId} runs on version ${version} of saga ${first.name}, which this service does not register (it has ${registered.join(', ')})`,
        );
      return found;
    },
    /**
     * Refuses (throws) when an instance that has not ended runs on a version not registered:
     * the service must not start and leave it stranded. Reads every instance's start and end.
     */
    checkInFlight: async (store: EventStore): Promise<void> => {
      const running = new Map<string, number>();
      const filter = { streamPrefixes: [sagaStreamPrefix(first.name)], eventTypes: ['SagaStarted', ...ENDINGS] };
      for await (const event of store.readAll({ filter })) {
        if (event.type === 'SagaStarted') running.set(event.stream, (event.data as { version: number }).version);
        else running.delete(event.stream);
      }
      const stranded = [...running].filter(([, version]) => !byVersion.has(version));
      if (stranded.length === 0) return;
      const versions = [...new Set(stranded.map(([, version]) => version))].sort((a, b) => a - b);
      throw new UnregisteredSagaVersion(
        `saga ${first.name}: ${stranded.length} instance(s) not ended run on version(s) ${versions.join(', ')}, which this service does not register ` +
          `(it has ${registered.join(', ')}), e.g. ${stranded[0]?.[0]}; deploy with those versions until their instances end`,
      );
    },
  };
};
