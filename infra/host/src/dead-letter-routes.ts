// The operator's view of the sequenced dead letters (docs/architecture.md, "Ordering is per
// key"): what every mounted consumer has parked, and a redrive that runs the consumer's own
// parse, inbox and handler. One set of routes per process: in embedded mode every service
// is mounted on one port, and group ids are unique across services, so they name consumers.
import { z } from 'zod';
import { HttpProblem, type HttpServer } from '@ordo/http';
import type { BusConsumer, DeadLetterStore, ParkedMessage } from '@ordo/messaging';

/** A service's consumers and the store their dead letters are parked in (the service's schema). */
export interface MountedConsumers {
  consumers: ReadonlyMap<string, BusConsumer>;
  deadLetters: DeadLetterStore;
}

// A consumer is named by its group id: Kafka's characters.
const ConsumerName = z.string().regex(/^[\w.-]{1,249}$/, 'a consumer group id: letters, digits, ".", "_" and "-"');
const ConsumerParams = z.strictObject({ consumer: ConsumerName });
const KeyParams = z.strictObject({ consumer: ConsumerName, key: z.string().min(1) });

const ParkedKeyView = z.object({
  consumer: z.string(),
  key: z.string().describe('the sequence the consumer parks and redrives by: the message key unless it orders by another'),
  count: z.number().int().describe('parked messages of the key, the first of which blocks the rest'),
  firstError: z.string(),
  parkedAt: z.string().describe('when its first message was parked (ISO 8601)'),
});
const ParkedMessageView = z.object({
  sequence: z.string().describe('its place in parking order: a key is redriven by it'),
  key: z.string(),
  topic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  messageId: z.string().optional(),
  headers: z.record(z.string(), z.string()),
  value: z.string().nullable(),
  error: z.string(),
  attempts: z.number().int(),
  parkedAt: z.string(),
});
const RedriveView = z.object({
  consumer: z.string(),
  key: z.string(),
  applied: z.number().int(),
  remaining: z.number().int(),
  error: z.string().optional().describe('why it stopped short: the handler failed again, or another redrive holds the key'),
});

const messageView = (message: ParkedMessage): z.infer<typeof ParkedMessageView> => ({
  sequence: String(message.sequence),
  key: message.key,
  topic: message.topic,
  partition: message.partition,
  offset: message.offset,
  ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
  headers: message.headers,
  value: message.value,
  error: message.error,
  attempts: message.attempts,
  parkedAt: message.parkedAt.toISOString(),
});

/** Registers the dead-letter routes over every mounted service's consumers (operators only). */
export const deadLetterRoutes =
  (mounted: readonly MountedConsumers[]) =>
  (app: HttpServer): void => {
    const known = () => mounted.flatMap(({ consumers }) => [...consumers.keys()]).sort();
    const find = (consumer: string) => {
      const owner = mounted.find(({ consumers }) => consumers.has(consumer));
      if (!owner) {
        const names = known();
        throw new HttpProblem(404, 'Not Found', `no consumer '${consumer}' here; the consumers are: ${names.join(', ') || 'none'}`, { consumers: names });
      }
      return { consumer: owner.consumers.get(consumer) as BusConsumer, deadLetters: owner.deadLetters };
    };
    const parkedOf = async (consumer: string, deadLetters: DeadLetterStore) =>
      (await deadLetters.listParked(consumer)).map((parked) => ({
        consumer,
        key: parked.key,
        count: parked.messages,
        firstError: parked.firstError,
        parkedAt: parked.firstParkedAt.toISOString(),
      }));

    app.get(
      '/v1/dead-letters',
      {
        config: { access: 'operator' },
        schema: {
          summary: 'Every parked key of every consumer here, oldest first per consumer',
          tags: ['dead letters'],
          response: { 200: z.array(ParkedKeyView) },
        },
      },
      async () => {
        const parked = [];
        for (const { consumers, deadLetters } of mounted) for (const consumer of consumers.keys()) parked.push(...(await parkedOf(consumer, deadLetters)));
        return parked;
      },
    );

    app.get(
      '/v1/dead-letters/:consumer',
      {
        config: { access: 'operator' },
        schema: {
          summary: "A consumer's parked keys; 404 lists the consumers there are",
          tags: ['dead letters'],
          params: ConsumerParams,
          response: { 200: z.array(ParkedKeyView) },
        },
      },
      async (request) => parkedOf(request.params.consumer, find(request.params.consumer).deadLetters),
    );

    app.get(
      '/v1/dead-letters/:consumer/:key',
      {
        config: { access: 'operator' },
        schema: {
          summary: "A parked key's messages in the order a redrive applies them",
          tags: ['dead letters'],
          params: KeyParams,
          response: { 200: z.array(ParkedMessageView) },
        },
      },
      async (request) => {
        const { consumer, key } = request.params;
        return (await find(consumer).deadLetters.parkedMessages(consumer, key)).map(messageView);
      },
    );

    app.post(
      '/v1/dead-letters/:consumer/:key/redrive',
      {
        config: { access: 'operator' },
        schema: {
          summary: "Applies a parked key's messages in order through the consumer's handler, stopping at the first that fails again",
          tags: ['dead letters'],
          params: KeyParams,
          response: { 200: RedriveView },
        },
      },
      async (request) => {
        const { consumer, key } = request.params;
        const result = await find(consumer).consumer.redrive(key);
        return { consumer, key, ...result };
      },
    );
  };
