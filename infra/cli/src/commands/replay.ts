// `ordo replay <projection>`: rebuilds a projection's tables from Kafka or the context
// stores (swapped in, or compared in a dry run), or replays its live tables from a Kafka
// offset or a time. A replay feeds the projection alone: sagas and other consumers never
// see its events.
import { Command, Option } from 'commander';
import type { Projection } from '@ordo/projections';
import { checkFlags, planReplay, ReplayUsageError, SOURCES, type ReplayFlags, type ReplayPlan } from './replay-plan';
import type { Target } from './target';

export interface ReplayIo {
  target: () => Target;
  /** The shop's projections: those of its read-model services. */
  projections: () => readonly Projection[];
  run: (plan: ReplayPlan, target: Target) => Promise<void>;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const replayCommand = (io: ReplayIo): Command => {
  const replay = new Command('replay')
    .description(
      "rebuilds a projection's tables from the beginning (into shadow tables swapped in when done, or compared with the live ones in a dry run), or replays its live tables from a Kafka offset or a time",
    )
    .argument('<projection>', 'the projection (orders-view, inventory-view, ...)')
    .addOption(
      new Option(
        '--source <source>',
        'where a rebuild reads: the event topics, or the context stores (default: kafka in local mode, eventstore in embedded mode)',
      ).choices(SOURCES),
    )
    .option('--dry-run', 'rebuild aside and print what would change (added, changed, removed rows), swapping nothing')
    .option('--from-time <iso>', 'replay in place from the first message of each partition recorded at or after this ISO 8601 time')
    .option('--from-offset <topic:partition:offset>', 'replay in place from this offset (inclusive) of one partition; repeat for more partitions', collect)
    .action(async (name: string, flags: ReplayFlags) => {
      try {
        checkFlags(flags);
      } catch (error) {
        if (error instanceof ReplayUsageError) replay.error(error.message, { exitCode: 2, code: 'ordo.replay.usage' });
        throw error;
      }
      const target = io.target();
      const plan = planReplay(name, flags, io.projections(), target.mode === 'embedded' ? 'eventstore' : 'kafka');
      await io.run(plan, target);
    });
  return replay;
};
