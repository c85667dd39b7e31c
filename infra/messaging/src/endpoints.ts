// A command as another service may send it: the context that takes it, its data's schema,
// the aggregate it addresses and the replies that answer it, in one place. A contract
// exports one for each command it takes on its topic, so a sender names the endpoint and
// never spells a command or reply type; one the contract lacks does not compile.
import type { z } from 'zod';

/** Replies by event type, each with the schema of its data. */
export type ReplySchemas = Readonly<Record<string, z.ZodType>>;

export interface CommandEndpoint<
  Type extends string = string,
  Schema extends z.ZodType = z.ZodType,
  Success extends ReplySchemas = ReplySchemas,
  Failure extends ReplySchemas = ReplySchemas,
> {
  /** The context that takes it: it travels on `ordo.<target>.commands`. */
  target: string;
  command: Type;
  /** What the target parses its data with. */
  schema: Schema;
  /**
   * The aggregate it addresses, read from its data: its Kafka key, so the commands to one
   * aggregate keep their order. A method, so an endpoint of any data is a `CommandEndpoint`.
   */
  aggregateId(data: z.input<Schema>): string;
  /** Replies that mean it was done. */
  success: Success;
  /** Replies that mean it was refused: answers rather than errors, since the sender waits for one. */
  failure: Failure;
}

/** The data a sender builds for an endpoint's command: what the target's schema takes (before its defaults). */
export type CommandDataOf<Endpoint extends CommandEndpoint> = z.input<Endpoint['schema']>;

/** The data of one of an endpoint's failure replies, as its schema reads it. */
export type FailureDataOf<Endpoint extends CommandEndpoint, Type extends keyof Endpoint['failure']> = z.output<Endpoint['failure'][Type]>;

export class CommandEndpointError extends Error {
  override name = 'CommandEndpointError';
}

/**
 * An endpoint of `target`. Its command and replies are given as the contract's schemas under
 * their own names (`{ ReserveStock }`, `{ StockReserved }`), so each type is written once, as
 * the schema's name.
 */
export const commandEndpoint = <
  Type extends string,
  Schema extends z.ZodType,
  Success extends ReplySchemas,
  Failure extends ReplySchemas = Record<never, z.ZodType>,
>(
  target: string,
  command: { [Name in Type]: Schema },
  replies: { aggregateId: (data: z.input<Schema>) => string; success: Success; failure?: Failure },
): CommandEndpoint<Type, Schema, Success, Failure> => {
  const [type, ...others] = Object.keys(command) as Type[];
  if (type === undefined || others.length > 0) throw new CommandEndpointError(`an endpoint of ${target} takes one command, not ${Object.keys(command).length}`);
  // Without failure replies, Failure is its default: a record with no keys.
  const failure = replies.failure ?? ({} as Failure);
  return { target, command: type, schema: command[type], aggregateId: replies.aggregateId, success: replies.success, failure };
};
