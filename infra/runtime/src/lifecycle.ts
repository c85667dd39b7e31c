import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';

/** A start refused for a reason its message tells the user in full (no stack trace helps). */
export class StartRefused extends Error {
  override name = 'StartRefused';
}

export type LifecycleState = 'starting' | 'ready' | 'stopping' | 'stopped';

export interface Lifecycle {
  readonly state: LifecycleState;
  /**
   * Registers what to close on shutdown. Closing runs in reverse order of
   * registration: register pools first and the HTTP server last, so the server stops
   * taking requests and finishes those in flight before consumers and pools close.
   */
  onShutdown(name: string, close: () => Promise<unknown> | unknown): void;
  markReady(): void;
  /** Closes everything registered, once; later calls wait for the first. */
  shutdown(reason: string): Promise<void>;
  /**
   * SIGTERM and SIGINT (and a crash) start a graceful shutdown. The process exits 0 when
   * it finished within the timeout, 1 when forced: timed out, a second signal, or a crash.
   */
  exitOnSignals(): void;
}

export const createLifecycle = ({ logger, shutdownTimeoutMs = 10_000 }: { logger: Logger; shutdownTimeoutMs?: number }): Lifecycle => {
  const closers: { name: string; close: () => Promise<unknown> | unknown }[] = [];
  let state: LifecycleState = 'starting';
  let stopping: Promise<void> | undefined;

  const closeAll = async (reason: string): Promise<void> => {
    state = 'stopping';
    logger.info({ reason }, 'shutting down');
    const failures: unknown[] = [];
    for (const { name, close } of [...closers].reverse()) {
      try {
        await close();
        logger.debug({ closed: name }, 'closed');
      } catch (error) {
        failures.push(error);
        logger.error({ err: error, closing: name }, 'closing failed');
      }
    }
    state = 'stopped';
    logger.info('shut down');
    if (failures.length > 0) throw new AggregateError(failures, 'shutdown finished with failures');
  };

  const lifecycle: Lifecycle = {
    get state() {
      return state;
    },
    onShutdown: (name, close) => void closers.push({ name, close }),
    markReady: () => {
      if (state === 'starting') state = 'ready';
    },
    shutdown: (reason) => (stopping ??= closeAll(reason)),
    exitOnSignals: () => {
      closeWithGrace(
        {
          delay: shutdownTimeoutMs,
          logger: { error: (message: string) => logger.error(message) },
          onTimeout: (delay: number) => logger.error({ timeoutMs: delay }, 'shutdown timed out; forcing exit'),
          onSecondSignal: (signal: string) => logger.error({ signal }, 'second signal; forcing exit'),
        },
        async ({ signal, err }) => {
          if (err) logger.fatal({ err }, 'crashed');
          await lifecycle.shutdown(signal ?? (err ? 'crash' : 'exit'));
          // A crash exits non-zero even when the shutdown itself went well.
          if (err) throw err;
        },
      );
    },
  };
  return lifecycle;
};
