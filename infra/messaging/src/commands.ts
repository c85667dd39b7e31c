import { z } from 'zod';
import { traceHeaders } from '@ordo/runtime';

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

export type CommandKind = 'action' | 'compensation';

/**
 * Sequences a command consumer (or a saga's, an instance per order) handles at once
 * (ProcessingOptions.concurrentSequences): commands to different streams are independent,
 * and handled together, their appends share the event store's round trips (its group
 * commit). Each stream's commands still go one after another, in order.
 */
export const COMMAND_SEQUENCES_AT_ONCE = 32;

/**
 * The data of a saga's CommandIssued event: the one way a command leaves a saga. The relay
 * routes `command` to `ordo.<target>.commands`, keyed by `aggregateId`.
 *
 * The saga engine owns it (`@ordo/saga` exports it as its own); it is declared here, in
 * the lowest package both use, because the relay reads it and messaging cannot depend on
 * the engine, which depends on messaging (docs/decisions.md, "Messaging").
 */
export interface CommandIssued {
  /** The context that handles it. */
  target: string;
  /** The aggregate it addresses: the Kafka key, so commands to one aggregate keep their order. */
  aggregateId: string;
  command: CommandMessage;
  step: string;
  /** The line of a fan-out step it was sent for. */
  line?: string;
  kind: CommandKind;
  /**
   * How often an operator sent it again after a definite refusal: each round has its own
   * command id, since the target answers one id once. Absent: 0.
   */
  round?: number;
  /** How often this command id has been sent, this sending included (a timed-out command is sent again as it was). Absent: 1. */
  attempt?: number;
  /** When the step stops waiting for a reply to this sending: past it, the saga's scheduler wakes the instance. Absent: never. */
  dueAt?: string;
  at: string;
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
 * command an event answers), the sender's correlation, and the trace: the command's own,
 * else the one its consumer continues from the message's `traceparent` header.
 */
export const commandMetadataOf = (message: CommandMessage) => {
  const traceparent = message.metadata.traceparent ?? traceHeaders().traceparent;
  return {
    commandId: message.commandId,
    correlationId: message.metadata.correlationId,
    causationId: message.commandId,
    ...(message.metadata.actor ? { actor: message.metadata.actor } : {}),
    ...(traceparent ? { traceparent } : {}),
  };
};

/** A command its context does not take: parked at once, since retrying will not change it. */
export class UnknownCommandError extends Error {
  override name = 'UnknownCommandError';
}

/** The message type of each command a context's topic carries, from its data schemas. */
export type CommandMessageOf<Schemas extends Record<string, z.ZodType>> = {
  [Type in keyof Schemas & string]: CommandMessage<Type, z.infer<Schemas[Type]>>;
}[keyof Schemas & string];

/**
 * Parses what arrives on a context's command topic: the envelope, then the data by its
 * type (tolerant of unknown fields). A bad message throws, and the consumer parks it.
 */
export const commandParser =
  <Schemas extends Record<string, z.ZodType>>(context: string, schemas: Schemas) =>
  (value: unknown): CommandMessageOf<Schemas> => {
    const message = commandMessageSchema.parse(value);
    const schema = Object.hasOwn(schemas, message.type) ? schemas[message.type] : undefined;
    if (!schema) throw new UnknownCommandError(`${context} takes ${Object.keys(schemas).join(' and ')} on its command topic, not '${message.type}'`);
    return { ...message, data: schema.parse(message.data) } as CommandMessageOf<Schemas>;
  };
