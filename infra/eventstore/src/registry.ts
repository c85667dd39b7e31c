import type { ZodType } from 'zod';
import { InvalidEventError } from './errors';
import type { EventData, RecordedEvent } from './types';

/**
 * One event type's schema at its current version, and how to lift older stored
 * versions to it: `upcasters[v]` turns the data of version v into version v + 1.
 */
export interface EventTypeSchema {
  version: number;
  schema: ZodType;
  upcasters?: Record<number, (data: unknown) => unknown>;
}

/** A context's event types, from its contract package. */
export type EventSchemaRegistry = Readonly<Record<string, EventTypeSchema>>;

/** Checks an event against the registry and stamps the current schema version. */
export const validateAgainstRegistry = (registry: EventSchemaRegistry, event: EventData): EventData => {
  const entry = registry[event.type];
  if (!entry) {
    throw new InvalidEventError(`unknown event type '${event.type}'; this store knows ${Object.keys(registry).sort().join(', ') || 'none'}`);
  }
  const parsed = entry.schema.safeParse(event.data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(data)'}: ${issue.message}`);
    throw new InvalidEventError(`${event.type} data does not match its schema v${entry.version}: ${problems.join('; ')}`);
  }
  return { ...event, metadata: { ...event.metadata, schemaVersion: entry.version } };
};

/**
 * Lifts a stored event to its type's current version, leaving the stored event as it
 * is. Readers are tolerant: unknown types and fields pass through untouched.
 */
export const upcast = <E extends RecordedEvent>(registry: EventSchemaRegistry | undefined, event: E): E => {
  const entry = registry?.[event.type];
  if (!entry || event.metadata.schemaVersion >= entry.version) return event;
  let data = event.data;
  for (let version = event.metadata.schemaVersion; version < entry.version; version++) {
    const lift = entry.upcasters?.[version];
    if (!lift) throw new InvalidEventError(`no upcaster from ${event.type} v${version} to v${version + 1}`);
    data = lift(data);
  }
  return { ...event, data, metadata: { ...event.metadata, schemaVersion: entry.version } };
};
