import { randomUUID } from 'node:crypto';
import { migrateOnce, quoteIdentifier, type SqlClient } from '@ordo/runtime';

/** A message the consumer could not process, as it hands it over. */
export interface DeadLetter {
  key: string;
  topic: string;
  partition: number;
  offset: string;
  messageId?: string;
  headers: Record<string, string>;
  value: string | null;
}

export interface ParkedMessage extends DeadLetter {
  consumer: string;
  /** The sequence it waits in (the consumer's `sequenceBy`): its key unless the consumer orders by another. */
  sequenceKey: string;
  /** Order of parking, across all keys: a key's messages are redriven by it. */
  sequence: bigint;
  /** The latest failure: the consumer's, then that of the last redrive that failed on it. */
  error: string;
  parkedAt: Date;
  /** Failures so far: 1 when parked, plus one per failed redrive. */
  attempts: number;
}

export interface ParkedKey {
  /** The sequence: what the consumer parks, orders and redrives by. */
  key: string;
  messages: number;
  /** The error of the key's first message, the one that blocks it. */
  firstError: string;
  firstParkedAt: Date;
}

export interface RedriveResult {
  applied: number;
  remaining: number;
  /** Why the redrive stopped short: the handler's failure, or another redrive holding the key. */
  error?: string;
}

/**
 * Axon-style sequenced dead letters: a sequence with a parked message parks every later
 * message of that sequence. A sequence is the message's key unless its consumer orders
 * its effects by another (`sequenceBy`); the methods below take and return sequences.
 */
export interface DeadLetterStore {
  /** Creates the table when missing; replicas may run it together. */
  migrate(): Promise<void>;
  /** Sequences of this consumer with parked messages: the consumer loads them when it gets partitions. */
  parkedKeys(consumer: string): Promise<Set<string>>;
  /**
   * Appends behind the sequence's earlier parked messages (default sequence: the letter's
   * key); idempotent by (consumer, topic, partition, offset): parking a redelivered
   * message twice stores it once.
   */
  park(consumer: string, letter: DeadLetter, error: string, sequenceKey?: string): Promise<void>;
  /** Ordered by firstParkedAt. */
  listParked(consumer: string): Promise<ParkedKey[]>;
  /** In sequence order. */
  parkedMessages(consumer: string, key: string): Promise<ParkedMessage[]>;
  /** Applies the key's messages in order with handler, deleting each once applied; stops at the first failure, which stays parked (its error and attempts updated) with everything behind it. */
  redrive(consumer: string, key: string, handler: (message: ParkedMessage) => Promise<void>): Promise<RedriveResult>;
}

export interface SqlDeadLetterStoreOptions {
  /** The service's own schema (database per service); default public. */
  schema?: string;
  /** How long a redrive may hold a key's head message without progress before another may take it (a crashed operator). Default 5 min. */
  leaseMs?: number;
}

interface Row {
  consumer: string;
  /** The sequence (the key column predates sequences, which default to the key). */
  key: string;
  message_key: string | null;
  topic: string;
  partition: number;
  offset: string;
  message_id: string | null;
  headers: Record<string, string>;
  value: string | null;
  sequence: string;
  error: string;
  parked_at: Date;
  attempts: number;
}

/** The hand-over from an applied message to the next: whether ours was deleted, and the next one if any. */
type HandOver = { deleted: number } & (Row | { [K in keyof Row]: null });

// int8 as text: pg gives strings, PGlite bigints; both parse the same. The text goes out
// as "sequence": an ORDER BY must name the table's column, or it orders the text.
const columns = `consumer, key, message_key, topic, partition, "offset", message_id, headers, value, sequence::text as sequence, error, parked_at, attempts`;

const toMessage = (row: Row): ParkedMessage => ({
  consumer: row.consumer,
  key: row.message_key ?? row.key,
  sequenceKey: row.key,
  topic: row.topic,
  partition: row.partition,
  offset: row.offset,
  ...(row.message_id === null ? {} : { messageId: row.message_id }),
  headers: row.headers,
  value: row.value,
  sequence: BigInt(row.sequence),
  error: row.error,
  parkedAt: row.parked_at,
  attempts: row.attempts,
});

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Sequenced dead letters in PostgreSQL, or PGlite in embedded mode: one row per parked message. */
export const sqlDeadLetterStore = (sql: SqlClient, options: SqlDeadLetterStoreOptions = {}): DeadLetterStore => {
  const schema = quoteIdentifier(options.schema ?? 'public');
  const table = `${schema}.ordo_dead_letters`;
  const leaseSeconds = (options.leaseMs ?? 5 * 60_000) / 1000;

  const remaining = async (consumer: string, key: string): Promise<number> => {
    const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from ${table} where consumer = $1 and key = $2`, [consumer, key]);
    return rows[0]?.n ?? 0;
  };

  return {
    migrate: async () => {
      await migrateOnce(
        sql,
        table,
        `
        create schema if not exists ${schema};
        create table if not exists ${table} (
          sequence bigserial primary key,
          consumer text not null,
          key text not null,
          topic text not null,
          partition integer not null,
          "offset" text not null,
          message_id text,
          headers jsonb not null,
          value text,
          error text not null,
          attempts integer not null default 1,
          parked_at timestamptz not null default now(),
          locked_by uuid,
          locked_until timestamptz,
          unique (consumer, topic, partition, "offset")
        );
        create index if not exists ordo_dead_letters_by_key on ${table} (consumer, key, sequence);
        alter table ${table} add column if not exists message_key text;
      `,
      );
    },

    parkedKeys: async (consumer) => {
      const { rows } = await sql.query<{ key: string }>(`select distinct key from ${table} where consumer = $1`, [consumer]);
      return new Set(rows.map((row) => row.key));
    },

    park: async (consumer, letter, error, sequenceKey = letter.key) => {
      // key holds the sequence; message_key the message's own key when it differs.
      await sql.query(
        `insert into ${table} (consumer, key, message_key, topic, partition, "offset", message_id, headers, value, error)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (consumer, topic, partition, "offset") do nothing`,
        [
          consumer,
          sequenceKey,
          sequenceKey === letter.key ? null : letter.key,
          letter.topic,
          letter.partition,
          letter.offset,
          letter.messageId ?? null,
          JSON.stringify(letter.headers),
          letter.value,
          error,
        ],
      );
    },

    listParked: async (consumer) => {
      const { rows } = await sql.query<{ key: string; messages: number; first_error: string; first_parked_at: Date }>(
        `select key, count(*)::int as messages, (array_agg(error order by sequence))[1] as first_error, min(parked_at) as first_parked_at
         from ${table} where consumer = $1 group by key order by min(parked_at), min(sequence)`,
        [consumer],
      );
      return rows.map((row) => ({ key: row.key, messages: row.messages, firstError: row.first_error, firstParkedAt: row.first_parked_at }));
    },

    parkedMessages: async (consumer, key) => {
      const { rows } = await sql.query<Row>(`select ${columns} from ${table} where consumer = $1 and key = $2 order by ${table}.sequence`, [consumer, key]);
      return rows.map(toMessage);
    },

    // Concurrency: SqlClient runs single statements (a pool may use another connection
    // for each), so no transaction or session advisory lock can span the handler. A redrive
    // instead leases the key's head message (locked_by, locked_until); only an unleased
    // head can be taken, and each message is deleted and its successor leased in one
    // statement, so the lease passes down the key without a gap another redrive could use.
    // A second redrive finds the head leased and stops. A lease left by a crash expires
    // after leaseMs; a handler slower than that may see its message applied twice, and
    // learns so when its delete finds the lease gone.
    redrive: async (consumer, key, handler) => {
      const token = randomUUID();
      const taken = await sql.query<Row>(
        `update ${table} set locked_by = $3, locked_until = now() + make_interval(secs => $4)
         where sequence = (select min(sequence) from ${table} where consumer = $1 and key = $2)
           and (locked_by is null or locked_until <= now())
         returning ${columns}`,
        [consumer, key, token, leaseSeconds],
      );
      let head: Row | undefined = taken.rows[0];
      if (!head) {
        const left = await remaining(consumer, key);
        return left === 0 ? { applied: 0, remaining: 0 } : { applied: 0, remaining: left, error: `key '${key}' is being redriven by another operator` };
      }
      let applied = 0;
      while (head) {
        const message = toMessage(head);
        try {
          await handler(message);
        } catch (failure) {
          const error = describeError(failure);
          await sql.query(
            `update ${table} set error = $3, attempts = attempts + 1, locked_by = null, locked_until = null where sequence = $1 and locked_by = $2`,
            [head.sequence, token, error],
          );
          return { applied, remaining: await remaining(consumer, key), error };
        }
        applied += 1;
        const { rows }: { rows: HandOver[] } = await sql.query<HandOver>(
          `with done as (delete from ${table} where sequence = $1 and locked_by = $2 returning sequence),
           claimed as (
             update ${table} set locked_by = $2, locked_until = now() + make_interval(secs => $5)
             where sequence = (select min(sequence) from ${table} where consumer = $3 and key = $4 and sequence > $1)
               and exists (select 1 from done)
             returning ${columns})
           select (select count(*) from done)::int as deleted, claimed.* from (values (0)) as one left join claimed on true`,
          [head.sequence, token, consumer, key, leaseSeconds],
        );
        const handedOver: HandOver | undefined = rows[0];
        if (!handedOver || handedOver.deleted === 0) {
          return {
            applied,
            remaining: await remaining(consumer, key),
            error: `the lease on key '${key}' ran out while message ${message.sequence} was applied; another redrive took it over`,
          };
        }
        head = handedOver.sequence === null ? undefined : handedOver;
      }
      return { applied, remaining: await remaining(consumer, key) };
    },
  };
};
