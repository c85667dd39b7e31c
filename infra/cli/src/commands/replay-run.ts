// Runs a checked replay plan against the shop (docs/cli.md, "ordo replay"): local mode on
// the read model's own database and Kafka (or the context stores), embedded mode on the
// data folder, which it takes for itself while it runs (PGlite is never opened by two
// processes at once).
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createEventStore, openSharedPglite, type EventStore } from '@ordo/eventstore';
import { DataFolderLocked, lockDataFolder, schemaOf } from '@ordo/host';
import { kafkaFeed, rebuildProjection, replayInPlace, storeFeed, type DiffExample, type FeedStore, type ProjectionFeed } from '@ordo/projections';
import { pgliteSql, pgPoolSql, type TransactionalSql } from '@ordo/runtime';
import { provisionServiceDatabases } from '../databases';
import { shopServices } from '../shop';
import { CliFailure, describe } from './failure';
import { startProgress } from './progress';
import type { ReplayPlan } from './replay-plan';
import { brokersOf, databaseUrlOf, printableUrl, type Target } from './target';

export interface ReplayRunIo {
  out: (line: string) => void;
}

/** Where the projection's tables are, and what to read its events from. */
interface Opened {
  sql: TransactionalSql;
  schema: string;
  feed: ProjectionFeed;
  /** The data folder is locked: nothing else writes while the replay runs (rebuildProjection's `exclusive`). */
  exclusive?: boolean;
  close(): Promise<void>;
}

const EXAMPLES = 3;

/** The contexts whose event topics the projection reads: their stores are a rebuild's other source. */
const contextsRead = (topics: string[]) =>
  topics.flatMap((topic) => {
    const name = /^ordo\.([a-z0-9-]+)\.events$/.exec(topic)?.[1];
    const service = shopServices.find((candidate) => candidate.name === name && candidate.store);
    return service ? [service] : [];
  });

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const closeAll = async (closers: (() => Promise<unknown>)[]) => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
};

// ---- embedded -----------------------------------------------------------------------

const openEmbedded = async (plan: ReplayPlan, target: Target): Promise<Opened> => {
  if (plan.kind === 'in-place' || plan.source === 'kafka')
    throw new CliFailure('embedded mode has no Kafka: a replay there rebuilds from the context stores (--source eventstore, its default), from the beginning');
  const folder = path.resolve(target.dataDir, 'pglite');
  if (!fs.existsSync(folder)) throw new CliFailure(`no embedded shop in ${path.resolve(target.dataDir)}: it has no pglite folder (npm start makes it)`);
  let lock: ReturnType<typeof lockDataFolder>;
  try {
    lock = lockDataFolder(target.dataDir);
  } catch (error) {
    const holder = error instanceof DataFolderLocked ? /process (\d+)/.exec(error.message)?.[1] : undefined;
    if (holder) throw new CliFailure(`${target.dataDir} is in use by process ${holder}: stop npm start first (a replay needs the data folder to itself)`);
    throw error;
  }
  const closers: (() => Promise<unknown>)[] = [async () => lock.release()];
  try {
    const shared = await openSharedPglite(folder);
    closers.push(() => shared.release());
    const stores: FeedStore[] = [];
    for (const service of contextsRead(plan.projection.topics)) {
      const store = await createEventStore(`pglite://${folder}`, { schema: schemaOf(service), ...service.store });
      closers.push(() => store.close());
      stores.push({ name: service.name, store });
    }
    return { sql: pgliteSql(shared.db), schema: schemaOf(plan.projection), feed: storeFeed(stores), exclusive: true, close: () => closeAll(closers) };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
};

// ---- local --------------------------------------------------------------------------

/** The brokers, reachable, with the projection's topics on them: a feed of a missing topic would fail obscurely. */
const connectKafka = async (target: Target, topics: string[]): Promise<Kafka> => {
  const brokers = brokersOf(target);
  const kafka = new Kafka({
    clientId: 'ordo-cli',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  let existing: string[];
  try {
    await admin.connect();
    existing = await admin.listTopics();
  } catch (error) {
    throw new CliFailure(`cannot reach Kafka at ${brokers.join(',')}: ${describe(error)}; is the broker running (npm run kafka:start, or KAFKA_BROKERS)?`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const missing = topics.filter((topic) => !existing.includes(topic));
  if (missing.length > 0)
    throw new CliFailure(
      `${missing.join(', ')} not on Kafka at ${brokers.join(',')}: nothing was published there yet (npm run start:local provisions the topics); --source eventstore reads the stores`,
    );
  return kafka;
};

const openLocal = async (plan: ReplayPlan, target: Target): Promise<Opened> => {
  const adminUrl = databaseUrlOf(target);
  const prefix = target.env.ORDO_DATABASE_PREFIX ?? '';
  const fromKafka = plan.kind === 'in-place' || plan.source === 'kafka';
  const kafka = fromKafka ? await connectKafka(target, plan.projection.topics) : undefined;
  const readModel = { name: plan.projection.name };
  const contexts = fromKafka ? [] : contextsRead(plan.projection.topics);
  let urls: Map<string, string>;
  try {
    // Idempotent: the databases the supervisor gives the read model and the contexts.
    const { databases } = await provisionServiceDatabases(adminUrl, [readModel, ...contexts], prefix, target.dataDir);
    urls = new Map(databases.map((database) => [database.service, database.url]));
  } catch (error) {
    throw new CliFailure(`cannot open ${readModel.name}'s database through PostgreSQL at ${printableUrl(adminUrl)}: ${describe(error)}`);
  }
  const pool = new pg.Pool({ connectionString: urls.get(readModel.name), max: 4 });
  pool.on('error', () => undefined); // a dropped idle connection is replaced; a query on it fails loudly
  const closers: (() => Promise<unknown>)[] = [() => pool.end()];
  try {
    const stores: FeedStore[] = [];
    for (const service of contexts) {
      const store: EventStore = await createEventStore(urls.get(service.name) as string, { schema: schemaOf(service), ...service.store });
      closers.push(() => store.close());
      stores.push({ name: service.name, store });
    }
    const feed =
      plan.kind === 'in-place'
        ? kafkaFeed({ kafka: kafka as Kafka, ...('fromTime' in plan ? { fromTime: plan.fromTime } : { fromOffsets: plan.fromOffsets }) })
        : kafka
          ? kafkaFeed({ kafka })
          : storeFeed(stores);
    return { sql: pgPoolSql(pool), schema: schemaOf(readModel), feed, close: () => closeAll(closers) };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
};

// ---- the run ------------------------------------------------------------------------

const exampleLine = (example: DiffExample) =>
  `    ${example.kind} ${example.table} ${JSON.stringify(example.key)}: ${JSON.stringify(example.kind === 'removed' ? example.before : example.after)}`;

export const runReplay = async (plan: ReplayPlan, target: Target, io: ReplayRunIo): Promise<void> => {
  const opened = target.mode === 'embedded' ? await openEmbedded(plan, target) : await openLocal(plan, target);
  const { projection } = plan;
  const progress = startProgress(`replay ${projection.name}`);
  const onProgress = ({ events, total }: { events: number; total?: number }) => progress.update(events, total);
  try {
    if (plan.kind === 'in-place') {
      const { events, durationMs } = await replayInPlace(projection, { sql: opened.sql, schema: opened.schema, feed: opened.feed, onProgress });
      progress.stop();
      const from =
        'fromTime' in plan
          ? `from ${plan.fromTime.toISOString()}`
          : `from ${plan.fromOffsets.map((at) => `${at.topic}:${at.partition}:${at.offset}`).join(', ')}`;
      io.out(`replayed ${projection.name} in place ${from}: ${events} event(s) in ${seconds(durationMs)}`);
      return;
    }
    const result = await rebuildProjection(projection, {
      sql: opened.sql,
      schema: opened.schema,
      source: opened.feed,
      dryRun: plan.dryRun,
      exclusive: opened.exclusive ?? false,
      onProgress,
    });
    progress.stop();
    const { added, changed, removed, examples } = result.diff;
    io.out(
      `${plan.dryRun ? 'dry run of' : 'rebuilt'} ${projection.name} from ${plan.source}: ${result.events} event(s) in ${seconds(result.durationMs)}; ` +
        `${result.swapped ? 'swapped in' : 'nothing swapped'}`,
    );
    io.out(`  rows added ${added}, changed ${changed}, removed ${removed}${plan.dryRun ? ' (against the live tables)' : ''}`);
    for (const kind of ['added', 'changed', 'removed'] as const)
      for (const example of examples.filter((each) => each.kind === kind).slice(0, EXAMPLES)) io.out(exampleLine(example));
  } finally {
    await opened.close();
  }
};
