import { WrongExpectedRevisionError, InvalidEventError } from '../errors';
import { withinStore } from '../filters';
import { checkAppend, checkExpectedRevision, checkOwnedStream, checkStoreLimits, type StoreLimits } from '../input';
import { upcast, type EventSchemaRegistry } from '../registry';
import type {
  AllFilter,
  AppendOptions,
  AppendResult,
  EventData,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  PositionedEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Snapshot,
  SubscribeOptions,
} from '../types';
import type { DbBigint, PgDriver } from './driver';
import { checkpointOf, EVENT_COLUMNS, parseCheckpoint, prefixPatterns, readingOrderKey, toPositioned, toRecorded, type EventRow } from './rows';
import { appendBatchStatement, migrate } from './schema';
import { groupCommit, type GroupCommit } from './group-commit';
import { readPacer, type ReadPacer } from './read-pacer';
import { sharedReads } from './shared-reads';
import { subscribe, type HandedOver, type OfferedSubscription } from './subscription';
import { visibilityReport, type VisibilityReport } from './visibility';

export interface PostgresEventStoreOptions {
  /** The schema that holds this store's tables: one per context. Default 'ordo'. */
  schema?: string;
  registry?: EventSchemaRegistry;
  /**
   * Streams this store owns: appends, reads and snapshots of any other stream are
   * refused (ForeignStreamError), and readAll and subscriptions see only these.
   * Default: every stream in the schema.
   */
  streamPrefixes?: string[];
  /** The largest event accepted, as the JSON of its data and metadata. Default just under 1 MB. */
  maxEventBytes?: number;
}

const DEFAULT_BATCH = 500;
// How often an append to a stream at 'any' is tried again when another append took its revision.
const ANY_RETRIES = 10;
// Subscribers in this process wake at once; other processes within this long.
const NOTIFY_DEBOUNCE_MS = 15;

/**
 * The group commit's limits. On a server, one append round trip in flight and the rest
 * waiting to go together: with 8 writers, each round trip then carries all eight, where
 * two in flight split them into two round trips of four on two connections, and three or
 * four into ever smaller ones that cost more an append (npm run bench -- eventstore,
 * docs/decisions.md). On PGlite, two: its statements run one at a time on its own thread,
 * so the second waits there and the thread has it as soon as it answers the first; with
 * one, the saga bench's embedded mode was slower at 50 orders/s. A shared round trip holds
 * at most maxAppends appends, and maxChars of their JSON.
 */
export const APPEND_GROUPING = { inFlight: { server: 1, pglite: 2 }, maxAppends: 64, maxChars: 1_000_000 } as const;

/** An append checked and serialised, waiting for its round trip (group-commit.ts). */
interface PendingAppend {
  stream: string;
  expected: ExpectedRevision;
  events: readonly EventData[];
  payload: string;
}
const compareStreams = (a: PendingAppend, b: PendingAppend) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0);

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
}
const asPgError = (error: unknown): PgError => (typeof error === 'object' && error !== null ? (error as PgError) : {});

export const postgresEventStore = async (driver: PgDriver, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> => {
  const schema = options.schema ?? 'ordo';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new InvalidEventError(`'${schema}' is not a valid schema name (lower case, digits, underscores)`);
  const limits = checkStoreLimits(options);
  await migrate(driver, schema);
  return new PostgresEventStore(driver, schema, limits);
};

/** An event as the append statement returns it with `returnEvents` (schema.ts). */
type InsertedEvent = [
  tx: string,
  position: string,
  stream: string,
  revision: string,
  id: string,
  type: string,
  data: unknown,
  metadata: EventMetadata,
  recordedAt: string,
];

/**
 * The PostgreSQL adapter, on a `pg` pool or on PGlite.
 *
 * Handing over. While the store has live subscriptions in this process, an append that
 * commits hands its events, as its statement returned them, to them, and they take them
 * without reading them back: on PGlite the reads were about a third of the statements
 * embedded mode's one thread ran, and on a server a relay's read waited for the read
 * pacer's gap and cost a round trip at every hop of a saga (docs/decisions.md). A
 * subscription takes an append from memory only when its first event directly follows
 * every event it has seen in the reading order:
 * - with serial commits (PGlite), positions are taken in the order transactions commit,
 *   so an append whose first position is one past the last seen follows it;
 * - on a server, transactions overlap and commit out of position order, so the append
 *   statement itself says which event precedes its first (ordo_events_before, schema.ts),
 *   once no older transaction is left running that could still commit one in between.
 *   While one is, the append is offered without it, and only a read passes it on.
 * Anything else (an append that went another way, a gap, a poll, a subscription catching
 * up) is read as before, and the read stays the reference.
 */
export class PostgresEventStore implements EventStore {
  private readonly table: string;
  private readonly channel: string;
  private readonly subscriptions = new Set<OfferedSubscription>();
  private readonly serialCommits: boolean;
  // The last position handed over (serial commits), and the appends whose subscribers were handed their events instead of woken.
  private handedThrough: bigint | undefined;
  private readonly handedAppends = new WeakSet<AppendResult>();
  private notifyTimer: NodeJS.Timeout | undefined;
  private readonly subscriptionReads = sharedReads<PositionedEvent[]>();
  private readonly pacer: ReadPacer;
  private readonly append: GroupCommit<PendingAppend, AppendResult>;
  private readonly appendBatchSql: string;
  private readonly handingBatchSql: string;

  constructor(
    private readonly driver: PgDriver,
    private readonly schema: string,
    private readonly options: StoreLimits,
  ) {
    this.table = `"${schema}".events`;
    this.channel = `ordo_events_${schema}`;
    this.pacer = readPacer({ minGapMs: driver.liveReadMinGapMs });
    this.serialCommits = driver.serialCommits;
    this.appendBatchSql = appendBatchStatement(schema);
    this.handingBatchSql = appendBatchStatement(schema, { returnEvents: true, eventsBefore: !this.serialCommits });
    this.append = groupCommit({
      maxInFlight: this.serialCommits ? APPEND_GROUPING.inFlight.pglite : APPEND_GROUPING.inFlight.server,
      maxItems: APPEND_GROUPING.maxAppends,
      maxChars: APPEND_GROUPING.maxChars,
      sizeOf: (pending) => pending.payload.length,
      one: (pending) => this.appendAlone(pending),
      many: (pending) => this.appendTogether(pending),
      // Only the shared statement returns the events that are handed over.
      loneThroughMany: () => this.handsOver,
    });
  }

  async appendToStream(stream: string, events: readonly EventData[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    const checked = checkAppend(stream, events, this.options);
    const expected = checkExpectedRevision(expectedRevision);
    let payload: string;
    try {
      payload = JSON.stringify(checked.map(({ id, type, data, metadata }) => ({ id: id.toLowerCase(), type, data, metadata })));
    } catch (error) {
      throw new InvalidEventError(`the events of the append to ${stream} cannot be stored as JSON: ${(error as Error).message}`);
    }
    const result = await this.append({ stream, expected, events: checked, payload });
    if (result.written) this.wakeSubscribers({ here: !this.handedAppends.has(result) });
    return result;
  }

  /** Whether appends hand their events over now: while a subscription in this process takes them. */
  private get handsOver(): boolean {
    return this.subscriptions.size > 0;
  }

  /** One append in its own round trip, with what the store does when it did not go as expected. */
  private async appendAlone({ stream, expected, events, payload }: PendingAppend): Promise<AppendResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.driver.query<{ next_revision: DbBigint; written: boolean }>(
          `select next_revision, written from "${this.schema}".ordo_append($1, $2, $3::jsonb)`,
          [stream, String(expected), payload],
          { name: `ordo_append_${this.schema}` },
        );
        return { nextExpectedRevision: BigInt(rows[0]?.next_revision ?? -1), written: rows[0]?.written === true };
      } catch (error) {
        const pgError = asPgError(error);
        if (pgError.message === 'ordo:wrong_expected_revision') {
          const actual = BigInt(pgError.detail ?? '-1');
          throw new WrongExpectedRevisionError(stream, expected, actual < 0n ? undefined : actual);
        }
        if (pgError.code === '23505') {
          // Another append took the revision first, or these events are stored already.
          const current = await this.currentRevision(stream);
          if (await this.allStored(stream, events)) return { nextExpectedRevision: current ?? -1n, written: false };
          if (pgError.constraint === 'events_stream_id') {
            throw new InvalidEventError(`the append to ${stream} repeats some, not all, of the events already stored in it`);
          }
          if (expected === 'any' && attempt < ANY_RETRIES) continue;
          throw new WrongExpectedRevisionError(stream, expected, current);
        }
        if (pgError.code === '22P05' || pgError.code === '22P02' || pgError.code === '54000') {
          throw new InvalidEventError(`PostgreSQL refused the events of the append to ${stream}: ${pgError.message}`);
        }
        throw error;
      }
    }
  }

  /**
   * Appends that queued together, in one transaction, sorted by stream (appends to one
   * stream keep their order): two batches then never wait on each other's streams in
   * opposite orders. Each gets its own answer; a throw means none was written.
   */
  private async appendTogether(appends: readonly PendingAppend[]): Promise<Array<AppendResult | Error>> {
    const order = appends.map((_, index) => index).sort((a, b) => compareStreams(appends[a] as PendingAppend, appends[b] as PendingAppend) || a - b);
    const batch = `[${order
      .map((index) => {
        const { stream, expected, payload } = appends[index] as PendingAppend;
        return `{"s":${JSON.stringify(stream)},"e":"${String(expected)}","v":${payload}}`;
      })
      .join(',')}]`;
    const handing = this.handsOver;
    const { rows } = await this.driver.query<{ heads: DbBigint[]; written: boolean; events?: string | null; before?: string | null }>(
      handing ? this.handingBatchSql : this.appendBatchSql,
      [batch],
      { name: `ordo_append_batch_${handing ? 'handing_' : ''}${this.schema}` },
    );
    const answers: Array<AppendResult | Error> = new Array(appends.length);
    if (rows[0]?.written === true) {
      const heads = rows[0].heads;
      order.forEach((index, at) => {
        const head = BigInt(heads[at] ?? -1);
        answers[index] = { nextExpectedRevision: head + BigInt((appends[index] as PendingAppend).events.length), written: true };
      });
      if (handing && rows[0].events && this.handOver(rows[0].events, rows[0].before)) {
        for (const answer of answers) this.handedAppends.add(answer as AppendResult);
      }
      return answers;
    }
    // A stream twice, or one not where its append expected: one after another, each answered.
    const { rows: slow } = await this.driver.query<{ next_revisions: DbBigint[]; outcomes: string }>(
      `select next_revisions, outcomes from "${this.schema}".ordo_append_batch($1::jsonb)`,
      [batch],
      { name: `ordo_append_batch_slow_${this.schema}` },
    );
    const { next_revisions: revisions = [], outcomes = '' } = slow[0] ?? {};
    order.forEach((index, at) => {
      const { stream, expected } = appends[index] as PendingAppend;
      const revision = BigInt(revisions[at] ?? -1);
      answers[index] =
        outcomes[at] === 'c'
          ? new WrongExpectedRevisionError(stream, expected, revision < 0n ? undefined : revision)
          : { nextExpectedRevision: revision, written: outcomes[at] === 'w' };
    });
    return answers;
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    checkOwnedStream(stream, this.options.streamPrefixes);
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let from = options.fromRevision ?? (forwards ? 0n : 9223372036854775807n);
    while (remaining > 0) {
      const limit = Math.min(remaining, DEFAULT_BATCH);
      const { rows } = await this.driver.query<EventRow>(
        `select ${EVENT_COLUMNS} from ${this.table} where stream = $1 and revision ${forwards ? '>=' : '<='} $2
         order by revision ${forwards ? 'asc' : 'desc'} limit $3`,
        [stream, String(from), limit],
      );
      for (const row of rows) yield upcast(this.options.registry, toRecorded(row));
      if (rows.length < limit) return;
      remaining -= rows.length;
      const last = BigInt(rows[rows.length - 1]?.revision ?? 0);
      from = forwards ? last + 1n : last - 1n;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<PositionedEvent> {
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    let from = options.from;
    for (;;) {
      const batch = await this.readBatch(from, options.filter, batchSize);
      yield* batch;
      if (batch.length < batchSize) return;
      from = batch[batch.length - 1]?.checkpoint;
    }
  }

  subscribeToAll(options: SubscribeOptions): OfferedSubscription {
    parseCheckpoint(options.from); // a bad checkpoint fails here, not in the background
    const filterKey = JSON.stringify(options.filter ?? null);
    const { streamPrefixes, eventTypes } = withinStore(options.filter, this.options.streamPrefixes);
    const subscription = subscribe(
      {
        readBatch: (from, limit) =>
          this.pacer.read(() => this.subscriptionReads(`${from ?? ''}|${limit}|${filterKey}`, () => this.readBatch(from, options.filter, limit))),
        listen: (onWake) => this.driver.listen(this.channel, onWake),
        paced: this.pacer.paced,
        handOver: {
          keyOf: this.serialCommits ? (event) => event.position : (event) => readingOrderKey(event.checkpoint),
          ...(this.serialCommits && { handedThrough: () => this.handedThrough }),
          // What readBatch's conditions admit.
          wants: (event) =>
            (!streamPrefixes || streamPrefixes.some((prefix) => event.stream.startsWith(prefix))) && (!eventTypes || eventTypes.includes(event.type)),
        },
      },
      options,
    );
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async saveSnapshot<S>(stream: string, snapshot: Snapshot<S>): Promise<void> {
    checkOwnedStream(stream, this.options.streamPrefixes);
    await this.driver.query(
      `insert into "${this.schema}".snapshots (stream, revision, version, state) values ($1, $2, $3, $4::jsonb)
       on conflict (stream) do update set revision = excluded.revision, version = excluded.version, state = excluded.state, saved_at = now()
       where snapshots.revision <= excluded.revision`,
      [stream, String(snapshot.revision), snapshot.version, JSON.stringify(snapshot.state)],
    );
  }

  async loadSnapshot<S>(stream: string): Promise<Snapshot<S> | undefined> {
    checkOwnedStream(stream, this.options.streamPrefixes);
    const { rows } = await this.driver.query<{ revision: DbBigint; version: number; state: S }>(
      `select revision, version, state from "${this.schema}".snapshots where stream = $1`,
      [stream],
    );
    const row = rows[0];
    return row && { revision: BigInt(row.revision), version: row.version, state: row.state };
  }

  /**
   * Whether appends in other processes wake this store's subscribers now. False while
   * the LISTEN connection is being re-established: they poll meanwhile (logged).
   */
  get listening(): boolean {
    return this.driver.isListening();
  }

  /** How far readers are held back by transactions still running anywhere in the cluster. */
  visibility(): Promise<VisibilityReport> {
    return visibilityReport(this.driver, this.table);
  }

  async close(): Promise<void> {
    clearTimeout(this.notifyTimer);
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.driver.close();
  }

  /**
   * Hands an append's events, as its statement returned them, to every subscription on the
   * store; false when it could not, and they are to be woken to read them instead. (The
   * append has committed: nothing here may fail it.) `before` is ordo_events_before's
   * answer, on a server.
   */
  private handOver(json: string, before: string | null | undefined): boolean {
    let events: PositionedEvent[];
    try {
      events = (JSON.parse(json) as InsertedEvent[]).map(([tx, position, stream, revision, id, type, data, metadata, recordedAt]) =>
        upcast(this.options.registry, {
          id,
          type,
          stream,
          revision: BigInt(revision),
          position: BigInt(position),
          data,
          metadata,
          recordedAt: new Date(recordedAt),
          checkpoint: checkpointOf(tx, position),
        }),
      );
    } catch {
      return false; // a subscription reading the event meets the same trouble, and reports it
    }
    const first = events[0];
    const last = events[events.length - 1];
    if (!first || !last) return false;
    let handed: HandedOver;
    if (this.serialCommits) {
      this.handedThrough = last.position;
      handed = { after: first.position - 1n, last: last.position, events };
    } else {
      const after = before === '' ? 0n : before ? readingOrderKey(before) : undefined;
      handed = { after, last: readingOrderKey(last.checkpoint), events };
    }
    for (const subscription of this.subscriptions) subscription.offer(handed);
    return true;
  }

  private async readBatch(from: string | undefined, filter: AllFilter | undefined, limit: number): Promise<PositionedEvent[]> {
    const { transactionId, position } = parseCheckpoint(from);
    const prefixes = withinStore(filter, this.options.streamPrefixes).streamPrefixes;
    const params: unknown[] = [transactionId, position, limit];
    const conditions: string[] = [];
    if (prefixes) conditions.push(`stream like any($${params.push(prefixPatterns(prefixes))}::text[])`);
    if (filter?.eventTypes) conditions.push(`type = any($${params.push(filter.eventTypes)}::text[])`);
    const { rows } = await this.driver.query<EventRow>(
      `select ${EVENT_COLUMNS} from ${this.table}
       where (transaction_id, position) > ($1::text::xid8, $2::bigint)
         and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         ${conditions.map((condition) => `and ${condition}`).join(' ')}
       order by transaction_id, position
       limit $3`,
      params,
    );
    return rows.map((row) => upcast(this.options.registry, toPositioned(row)));
  }

  private async currentRevision(stream: string): Promise<bigint | undefined> {
    const { rows } = await this.driver.query<{ revision: DbBigint }>(`select max(revision) as revision from ${this.table} where stream = $1`, [stream]);
    const revision = rows[0]?.revision;
    return revision === null || revision === undefined ? undefined : BigInt(revision);
  }

  private async allStored(stream: string, events: readonly EventData[]): Promise<boolean> {
    const { rows } = await this.driver.query<{ stored: DbBigint }>(`select count(*) as stored from ${this.table} where stream = $1 and id = any($2::uuid[])`, [
      stream,
      events.map((event) => event.id),
    ]);
    return Number(rows[0]?.stored ?? 0) === events.length;
  }

  /**
   * Live subscriptions in this process wake at once (unless they were handed the append:
   * `here` false); others through NOTIFY, sent after the append committed (never inside
   * it, which would serialise every commit in the cluster) and debounced, so a burst of
   * appends costs one notification.
   */
  private wakeSubscribers({ here }: { here: boolean }): void {
    if (here) this.driver.wakeHere(this.channel);
    if (this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      this.driver.notify(this.channel).catch(() => undefined);
    }, NOTIFY_DEBOUNCE_MS).unref();
  }
}
