import { BACKWARDS, END, START, type AllStreamRecordedEvent, type AllStreamSubscription, type EventStoreDBClient, type Position } from '@eventstore/db-client';
import type { AllFilter, PositionedEvent, SubscribeOptions, Subscription } from '../types';
import { formatCheckpoint, isAfter, matchesFilter, parseCheckpoint, toServerFilter } from './mapping';

/** What a subscription needs of the client. */
export type SubscriptionClient = Pick<EventStoreDBClient, 'readAll' | 'subscribeToAll'>;

/** The position of the last event in $all, or undefined for an empty database. */
const endOfAll = async (client: SubscriptionClient): Promise<Position | undefined> => {
  for await (const { event } of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) return event?.position;
  return undefined;
};

/**
 * Catch-up, then live, on one server-side subscription to $all. Iterating it with
 * `for await` and awaiting the handler for each event is the back-pressure: the client's
 * stream stops pulling from gRPC once its buffer is full.
 */
export const subscribe = (
  client: SubscriptionClient,
  filter: AllFilter,
  toEvent: (event: AllStreamRecordedEvent) => PositionedEvent,
  options: SubscribeOptions,
): Subscription => {
  const from = parseCheckpoint(options.from); // a bad checkpoint fails here, not in the background
  let checkpoint = options.from;
  let stopped = false;
  let live = false;
  let stream: AllStreamSubscription | undefined;
  // Events taken from the client's stream and finished with (handled or filtered out),
  // whether one is in the handler now, and how many must be finished to be caught up.
  let taken = 0;
  let busy = false;
  let liveAfter: number | undefined;

  const goLive = () => {
    if (live || stopped) return;
    live = true;
    options.onLive?.();
  };
  // The client reports the caught-up point as the server's message passes through its
  // stream, which runs ahead of the handler: the events still buffered, and the one in
  // the handler, came before that point and are handled before the subscription is live.
  const caughtUp = () => {
    liveAfter ??= taken + (busy ? 1 : 0) + (stream?.readableLength ?? 0);
    if (taken >= liveAfter) goLive();
  };

  const run = async () => {
    // Servers before 23.10 never say they caught up: for them the subscription is live
    // once it passes the end of $all as it was when it started.
    const end = await endOfAll(client);
    if (stopped) return;
    const reachedEnd = (position: Position) => end === undefined || !isAfter(end, position);
    if (end === undefined || (from !== undefined && reachedEnd(from))) caughtUp();

    stream = client.subscribeToAll({
      fromPosition: from ?? START,
      // Filtered subscriptions also report positions they scanned past without a match.
      filter: toServerFilter(filter, (_, position) => {
        if (reachedEnd(position)) caughtUp();
      }),
    });
    stream.on('caughtUp', caughtUp);
    try {
      for await (const { event } of stream) {
        if (stopped) break;
        busy = true;
        // The server starts after `from`; checking again costs nothing and guards a resume.
        if (event && (from === undefined || isAfter(event.position, from)) && matchesFilter(event, filter)) {
          await options.handler(toEvent(event));
          checkpoint = formatCheckpoint(event.position);
        }
        busy = false;
        taken += 1;
        if ((event && reachedEnd(event.position)) || (liveAfter !== undefined && taken >= liveAfter)) goLive();
      }
      // A catch-up subscription has no end: the host should resume it from the checkpoint.
      if (!stopped) throw new Error('the EventStoreDB subscription to $all ended although it was not stopped');
    } catch (error) {
      // Stopping cancels the stream under the loop; what that throws is no failure.
      if (!stopped) throw error;
    } finally {
      stream.removeListener('caughtUp', caughtUp);
      await stream.unsubscribe().catch(() => undefined);
    }
  };
  const done = run();

  return {
    get checkpoint() {
      return checkpoint;
    },
    get isLive() {
      return live;
    },
    done,
    stop: async () => {
      stopped = true;
      await stream?.unsubscribe().catch(() => undefined);
      stream?.destroy();
      await done.catch(() => undefined);
    },
  };
};
