// The three moves of a service's int spec, shared by every context's and saga's spec:
// issue a command as a saga does, answer as another context does, and read what the
// service under test recorded.
import { randomUUID } from 'node:crypto';
import { eventIdFor, type EventStore, type RecordedEvent } from '@ordo/eventstore';
import { sqlDeadLetterStore, type Bus, type BusConsumerOptions, type CommandIssued, type ParkedKey } from '@ordo/messaging';
import type { TransactionalSql } from '@ordo/runtime';
import { eventually } from '@ordo/testing/eventually';
import type { ServiceModule } from '../module';

export interface IssuedCommand {
  /** The context whose command topic carries it (`ordo.<target>.commands`). */
  target: string;
  /** The message key: the aggregate the command is for (a sku, an order id). */
  key: string;
  type: string;
  data: unknown;
  /** The command's id, by which the target answers it once. Default: a random one. */
  commandId?: string;
  correlationId?: string;
}

/**
 * Appends a saga's CommandIssued to a stand-in saga store: the bus routes it to the
 * target's command topic, as it routes the real saga's. Resolves to the command's id.
 */
export const issueCommand = async (
  sagas: EventStore,
  { target, key, type, data, commandId = randomUUID(), correlationId = `saga-${key}` }: IssuedCommand,
): Promise<string> => {
  const eventId = randomUUID();
  const command = { type, commandId, data, metadata: { correlationId, causationId: eventId } };
  const issued: CommandIssued = { target, aggregateId: key, command, step: 'stand-in', kind: 'action', at: new Date().toISOString() };
  const metadata = { correlationId, causationId: eventId, commandId: eventId, schemaVersion: 1 };
  await sagas.appendToStream(`saga-spec-${key}`, [{ id: eventId, type: 'CommandIssued', data: issued, metadata }], { expectedRevision: 'any' });
  return commandId;
};

export interface RecordedByParticipant {
  stream: string;
  type: string;
  data: unknown;
  /** The command it answers, if any: the saga matches a reply by it. Default: a random id. */
  commandId?: string;
  correlationId?: string;
}

/**
 * Records an event in a stand-in context's store as that context would (a participant's
 * reply, an event a feed copies): the bus publishes it on the context's event topic.
 * Resolves to the event's id.
 */
export const recordEvent = async (context: EventStore, recorded: RecordedByParticipant): Promise<string> => {
  const event = participantEvent(recorded);
  await context.appendToStream(recorded.stream, [event], { expectedRevision: 'any' });
  return event.id;
};

/** The event a participant appends for a command: its id derived from the command's, as the context's command handler derives it. */
export const participantEvent = ({ type, data, commandId = randomUUID(), correlationId = commandId }: RecordedByParticipant) => ({
  id: eventIdFor(commandId, 0),
  type,
  data,
  metadata: { correlationId, causationId: commandId, commandId, schemaVersion: 1 },
});

/** Every event of a stream, oldest first; only those a command produced when `commandId` is given. */
export const eventsOf = async (store: EventStore, stream: string, { commandId }: { commandId?: string } = {}): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(stream)) if (commandId === undefined || event.metadata.commandId === commandId) events.push(event);
  return events;
};

/** Waits until a command has produced events in a stream, and resolves to them. */
export const answersTo = (store: EventStore, stream: string, commandId: string): Promise<RecordedEvent[]> =>
  eventually(async () => {
    const answers = await eventsOf(store, stream, { commandId });
    return answers.length > 0 ? answers : undefined;
  }, `an answer to command ${commandId} in ${stream}`);

/**
 * Waits until every one of `keys` is parked by the consumer group, and resolves to all it has parked.
 * A consumer handles its partitions concurrently, so an answer to a later message on one
 * partition says nothing of an earlier message on another: the spec waits for each key.
 */
export const parkedKeys = ({ sql, schema }: { sql: TransactionalSql; schema: string }, groupId: string, keys: string[]): Promise<ParkedKey[]> =>
  eventually(
    async () => {
      const parked = await sqlDeadLetterStore(sql, { schema }).listParked(groupId);
      return keys.every((key) => parked.some((entry) => entry.key === key)) ? parked : undefined;
    },
    `keys ${keys.join(', ')} parked by ${groupId}`,
  );

/**
 * Starts one of a service's own consumers again under a new group, which reads its
 * topics from their start: every message it ever got is delivered a second time.
 * `handled` fills with the ids of the messages it has handled again.
 */
export const deliverAgain = async ({ module, bus }: { module: ServiceModule; bus: Bus }, groupId: string) => {
  const declared = module.consumers?.find((candidate) => candidate.groupId === groupId);
  if (!declared) throw new Error(`the service mounts no ${groupId} consumer`);
  const handled = new Set<string>();
  const again = await declared.start({
    ...bus,
    consume: <T>(options: BusConsumerOptions<T>) =>
      bus.consume<T>({
        ...options,
        groupId: `${groupId}-again`,
        handle: async (message, context) => {
          await options.handle(message, context);
          handled.add(message.messageId);
        },
      }),
  });
  return { handled, stop: () => again.stop() };
};
