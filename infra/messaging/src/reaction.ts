// What a context's consumer of another context's events needs of each message: the
// event as the relay published it, and, when the event makes it run a command of its
// own, that command's context, derived so that a redelivered event repeats the command.
import { z } from 'zod';
import { eventIdFor, type CommandContext } from '@ordo/eventstore';
import { traceHeaders } from '@ordo/runtime';

/**
 * The value of an event topic's message: the recorded event, its revision as a string.
 * Plain objects, so fields a later publisher adds pass through.
 */
export const publishedEventSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  revision: z.string().regex(/^\d+$/).transform(BigInt),
  data: z.unknown(),
  metadata: z.object({ correlationId: z.string().min(1) }),
});
export type PublishedEvent = z.infer<typeof publishedEventSchema>;

/** The id of the command an event makes a consumer run, by the reaction's name: the same for a redelivered event. */
export const reactionCommandId = (eventId: string, name: string): string => eventIdFor(`${eventId}/${name}`, 0);

/**
 * The context of a command an event makes a consumer run: its id derived from the
 * event's and `name` (the same event always makes the same command, which the target
 * stream remembers), caused by the event, in its correlation and the consumer's trace.
 */
export const reactionContext = (event: { eventId: string; correlationId: string }, name: string, now: Date): CommandContext => {
  // The trace of the consumer's span, which continues the event's own.
  const { traceparent } = traceHeaders();
  return {
    commandId: reactionCommandId(event.eventId, name),
    correlationId: event.correlationId,
    causationId: event.eventId,
    ...(traceparent && { traceparent }),
    now: now.toISOString(),
  };
};
