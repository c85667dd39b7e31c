import type { RecordedEvent } from '@ordo/eventstore';
import type { MessageKind } from '../headers';

/** One Kafka message an event becomes: where it goes, its key, its value (default: the event) and its kind (default: event). */
export interface Route {
  topic: string;
  key: string;
  value?: unknown;
  kind?: MessageKind;
}

export type Routing = (event: RecordedEvent) => Route[];

/** What a saga's CommandIssued event carries for the relay to deliver. */
export interface IssuedCommand {
  /** The context that handles it: the command goes to `ordo.<target>.commands`. */
  target: string;
  /** The aggregate it addresses: the Kafka key, so commands to one aggregate keep their order. */
  aggregateId: string;
  command: unknown;
}

const isIssuedCommand = (data: unknown): data is IssuedCommand =>
  typeof data === 'object' && data !== null && typeof (data as IssuedCommand).target === 'string' && typeof (data as IssuedCommand).aggregateId === 'string';

/**
 * Every event goes to its context's event topic, keyed by its stream, so one stream
 * keeps its order. An event that records a command for another context (a saga's
 * CommandIssued) also goes to that context's command topic, keyed by the aggregate.
 */
export const contextRouting =
  (context: string): Routing =>
  (event) => {
    const routes: Route[] = [{ topic: `ordo.${context}.events`, key: event.stream }];
    if (event.type === 'CommandIssued' && isIssuedCommand(event.data)) {
      routes.push({ topic: `ordo.${event.data.target}.commands`, key: event.data.aggregateId, value: event.data.command, kind: 'command' });
    }
    return routes;
  };

/** The JSON an event is published as: the recorded event, revision as a string. */
export const eventMessageValue = (event: RecordedEvent): string =>
  JSON.stringify({ ...event, revision: String(event.revision), position: String(event.position) });
