// What `ordo replay` was asked to do, checked before anything connects: a full rebuild
// (into shadow tables, swapped in, or compared in a dry run) from Kafka or the stores, or a
// replay in place of the live tables from Kafka offsets or a time.
import type { Projection } from '@ordo/projections';
import { CliFailure } from './failure';

export const SOURCES = ['kafka', 'eventstore'] as const;
export type Source = (typeof SOURCES)[number];

export interface ReplayFlags {
  source?: Source;
  dryRun?: boolean;
  fromTime?: string;
  fromOffset?: string[];
}

export interface Offset {
  topic: string;
  partition: number;
  offset: string;
}

export type ReplayPlan =
  | { kind: 'rebuild'; projection: Projection; source: Source; dryRun: boolean }
  | { kind: 'in-place'; projection: Projection; fromTime: Date }
  | { kind: 'in-place'; projection: Projection; fromOffsets: Offset[] };

/** A flag's value is malformed, or flags that exclude each other were given together: commander's usage error (exit 2). */
export class ReplayUsageError extends Error {
  override name = 'ReplayUsageError';
}

const OFFSET = /^([A-Za-z0-9._-]+):(\d+):(\d+)$/;
// An ISO 8601 date, with a time and a zone when it has a time: a local time would depend on the machine.
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `topic:partition:offset`, both integers ≥ 0. */
export const parseOffset = (text: string): Offset => {
  const match = OFFSET.exec(text);
  if (!match) throw new ReplayUsageError(`--from-offset '${text}' is not topic:partition:offset (a topic name, then two whole numbers ≥ 0)`);
  const partition = Number(match[2]);
  if (!Number.isSafeInteger(partition)) throw new ReplayUsageError(`--from-offset '${text}': the partition ${match[2]} is too large`);
  return { topic: match[1] as string, partition, offset: BigInt(match[3] as string).toString() };
};

export const parseTime = (text: string): Date => {
  const time = new Date(text);
  if (!ISO.test(text) || Number.isNaN(time.getTime()))
    throw new ReplayUsageError(`--from-time '${text}' is not an ISO 8601 date (2026-01-31 or 2026-01-31T08:00:00Z)`);
  return time;
};

export interface CheckedFlags {
  fromTime?: Date;
  fromOffsets: Offset[];
}

/** The flags alone, together: what needs no shop to check. */
export const checkFlags = (flags: ReplayFlags): CheckedFlags => {
  const offsets = flags.fromOffset ?? [];
  const inPlace = flags.fromTime !== undefined || offsets.length > 0;
  if (flags.fromTime !== undefined && offsets.length > 0) throw new ReplayUsageError('--from-time and --from-offset exclude each other: give one');
  if (inPlace && flags.dryRun)
    throw new ReplayUsageError('--dry-run compares a full rebuild with the live tables; a replay from an offset or a time has nothing to compare');
  if (inPlace && flags.source === 'eventstore')
    throw new ReplayUsageError('--from-time and --from-offset read Kafka; --source eventstore rebuilds from the stores from the beginning');
  const fromOffsets = offsets.map(parseOffset);
  return flags.fromTime === undefined ? { fromOffsets } : { fromTime: parseTime(flags.fromTime), fromOffsets };
};

/** The checked flags against the projections: the one named, and the topics its offsets name. */
export const planReplay = (name: string, flags: ReplayFlags, projections: readonly Projection[], defaultSource: Source): ReplayPlan => {
  const { fromTime, fromOffsets: parsedOffsets } = checkFlags(flags);
  const projection = projections.find((candidate) => candidate.name === name);
  if (!projection)
    throw new CliFailure(
      `no projection '${name}'; the projections are: ${projections.map((candidate) => candidate.name).join(', ') || 'none (no read model is mounted)'}`,
    );
  for (const offset of parsedOffsets) {
    if (!projection.topics.includes(offset.topic))
      throw new CliFailure(`--from-offset names ${offset.topic}, which ${projection.name} does not read; it reads ${projection.topics.join(', ')}`);
  }
  if (fromTime) return { kind: 'in-place', projection, fromTime };
  if (parsedOffsets.length > 0) return { kind: 'in-place', projection, fromOffsets: parsedOffsets };
  return { kind: 'rebuild', projection, source: flags.source ?? defaultSource, dryRun: flags.dryRun ?? false };
};
