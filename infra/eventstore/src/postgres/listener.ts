import pg from 'pg';
import type { Logger } from '@ordo/runtime';

export type ListenerLogger = Pick<Logger, 'info' | 'warn'>;

// Reconnecting after a lost LISTEN connection: soon at first, then at most this far apart.
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;

/** The backend process id pg's client learns on connecting; its types do not declare it. */
export const backendPidOf = (client: pg.Client): number => (client as unknown as { processID: number }).processID;

export interface PgListener {
  /** LISTENs on the channel from now on, on this connection and every one after it. */
  listen(channel: string): Promise<void>;
  /** Whether the LISTEN connection is up: while it is not, subscribers only poll. */
  isListening(): boolean;
  /** The LISTEN connection's backend process id, while it is up. */
  backendPid(): number | undefined;
  close(): Promise<void>;
}

/**
 * The one connection a pool driver LISTENs on. When it is lost (the server restarted,
 * the backend was terminated, the network dropped) it reconnects with backoff, LISTENs
 * on every channel again and wakes them all, since appends made meanwhile sent their
 * NOTIFY to nobody. Both the loss and the return are logged: subscribers fall back to
 * polling only while it is down, and never without a word.
 */
export const pgListener = (
  connectionString: string,
  {
    onNotify,
    logger,
    applicationName,
  }: {
    /** `sender`: the notifying backend's process id; absent when every channel is woken after a reconnect. */
    onNotify: (channel: string, sender?: number) => void;
    logger: ListenerLogger;
    applicationName: string;
  },
): PgListener => {
  const channels = new Set<string>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;
  let wasConnected = false;
  let closed = false;

  const lost = (which: pg.Client, error?: Error) => {
    if (which !== client) return; // a connection already given up on
    client = undefined;
    which.end().catch(() => undefined);
    if (closed) return;
    logger.warn({ err: error, channels: [...channels] }, 'event store: the LISTEN connection was lost; reconnecting, subscribers poll until it is back');
    scheduleReconnect();
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: applicationName });
    next.on('notification', (message) => onNotify(message.channel, message.processId));
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next));
    try {
      await next.connect();
      // Named by a statement, since an application_name in the connection string would win
      // over the client's option: other drivers find this connection by it (listener-census.ts).
      await next.query(`set application_name = ${pg.escapeLiteral(applicationName)}`);
      // A channel added while these run is iterated too: a Set's iterator sees additions.
      for (const channel of channels) await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) return void (await next.end().catch(() => undefined));
    client = next;
  };

  const attempt = (): Promise<void> =>
    (connecting ??= connect()
      .then(
        () => {
          retryMs = FIRST_RETRY_MS;
          if (wasConnected) {
            logger.info({ channels: [...channels] }, 'event store: the LISTEN connection is back');
            for (const channel of channels) onNotify(channel);
          }
          wasConnected = true;
        },
        (error: unknown) => {
          logger.warn({ err: error, retryInMs: retryMs }, 'event store: could not open the LISTEN connection; trying again');
          connecting = undefined;
          scheduleReconnect();
        },
      )
      .finally(() => {
        connecting = undefined;
      }));

  function scheduleReconnect() {
    if (closed || retryTimer || connecting) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void attempt();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  }

  return {
    listen: async (channel) => {
      if (channels.has(channel)) return;
      channels.add(channel);
      if (client) {
        // If this fails the connection is lost, and its replacement LISTENs on every channel.
        await client.query(`listen ${pg.escapeIdentifier(channel)}`).catch(() => undefined);
      } else if (!retryTimer) {
        await attempt();
      }
    },
    isListening: () => client !== undefined,
    backendPid: () => (client ? backendPidOf(client) : undefined),
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      await connecting?.catch(() => undefined);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
};
