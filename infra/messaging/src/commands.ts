import { z } from 'zod';

/**
 * A command as it travels on `ordo.<target>.commands` (the `command` of a saga's
 * CommandIssued): its id is derived from saga id, step and line, so the handling
 * context's events are idempotent by it; the metadata flows into those events, so a
 * reply carries the saga's correlation id and names the command it answers.
 */
export interface CommandMessage<Type extends string = string, Data = unknown> {
  type: Type;
  commandId: string;
  data: Data;
  metadata: { correlationId: string; causationId: string; traceparent?: string; actor?: string };
}

/** Parses a command message's envelope; each context then parses `data` by `type`. Unknown fields are tolerated. */
export const commandMessageSchema = z.object({
  type: z.string().min(1),
  commandId: z.string().min(1),
  data: z.unknown(),
  metadata: z.object({ correlationId: z.string(), causationId: z.string(), traceparent: z.string().optional(), actor: z.string().optional() }),
});

/**
 * The metadata the handling context's events carry for a command it took off its topic:
 * the command's id (so a re-issued command appends nothing and the sender knows which
 * command an event answers) and the sender's correlation and trace.
 */
export const commandMetadataOf = (message: CommandMessage) => ({
  commandId: message.commandId,
  correlationId: message.metadata.correlationId,
  causationId: message.commandId,
  ...(message.metadata.actor ? { actor: message.metadata.actor } : {}),
  ...(message.metadata.traceparent ? { traceparent: message.metadata.traceparent } : {}),
});
