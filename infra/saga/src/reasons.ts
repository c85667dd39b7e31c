// Why a failure reply refused a command: read from that failure's data, typed by the
// endpoint's schema for it, or by default its `reason`.
import type { CommandEndpoint, FailureDataOf } from '@ordo/messaging';
import type { IncomingEvent } from './definition';

/** Reads why a failure reply refused a command; undefined when the reply does not say. */
export type ReasonOf = (reply: IncomingEvent) => string | undefined;

/**
 * How a step reads why a failure reply refused its command, by the endpoint's failure types.
 * For an endpoint without failures it takes no key: an empty object type would take any.
 */
export type ReasonReaders<Endpoint extends CommandEndpoint> = [keyof Endpoint['failure']] extends [never]
  ? Record<string, never>
  : { [Type in keyof Endpoint['failure'] & string]?: (reply: FailureDataOf<Endpoint, Type>) => string };

// Tolerant, as readers are: a reply that breaks its schema still fails the step, with its reason if it has one.
const reasonField: ReasonOf = ({ data }) =>
  typeof data === 'object' && data !== null && 'reason' in data && typeof data.reason === 'string' && data.reason !== '' ? data.reason : undefined;

/** A step's reader gets the data as the failure's schema parses it; a reply the schema refuses says no reason. */
const parsedBy =
  (schema: CommandEndpoint['failure'][string], read: (reply: never) => string): ReasonOf =>
  ({ data }) => {
    const parsed = schema.safeParse(data);
    // The reader was typed by this very schema's output.
    return parsed.success ? read(parsed.data as never) : undefined;
  };

/** Each of the endpoint's failure reply types, with how to read its reason: the step's reader, else the reply's `reason`. */
export const failureReasons = <Endpoint extends CommandEndpoint>(endpoint: Endpoint, readers: ReasonReaders<Endpoint> = {}): Record<string, ReasonOf> => {
  const byType: Partial<Record<string, (reply: never) => string>> = readers;
  return Object.fromEntries(
    Object.entries(endpoint.failure).map(([type, schema]) => {
      const read = byType[type];
      return [type, read ? parsedBy(schema, read) : reasonField];
    }),
  );
};
