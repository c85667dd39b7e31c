import type { RecordedEvent } from '@ordo/eventstore';
import type { CommandIssued } from '../commands';
import type { MessageKind } from '../headers';

/** One Kafka message an event becomes: where it goes, its key, its value (default: the event) and its kind (default: event). */
export interface Route {
  topic: string;
  key: string;
  value?: unknown;
  kind?: MessageKind;
}

export type Routing = (event: RecordedEvent) => Route[];

/** What the relay reads of a CommandIssued: where the command goes. The command is passed on as it is. */
type Routable = Pick<CommandIssued, 'target' | 'aggregateId'> & { command?: unknown };

const isRoutable = (data: unknown): data is Routable =>
  typeof data === 'object' && data !== null && typeof (data as Routable).target === 'string' && typeof (data as Routable).aggregateId === 'string';

/**
 * Every event goes to its context's event topic, keyed by its stream, so one stream
 * keeps its order. An event that records a command for another context (a saga's
 * CommandIssued) also goes to that context's command topic, keyed by the aggregate.
 */
export const contextRouting =
  (context: string): Routing =>
  (event) => {
    const routes: Route[] = [{ topic: `ordo.${context}.events`, key: event.stream }];
    if (event.type === 'CommandIssued' && isRoutable(event.data)) {
      routes.push({ topic: `ordo.${event.data.target}.commands`, key: event.data.aggregateId, value: event.data.command, kind: 'command' });
    }
    return routes;
  };

/** The JSON an event is published as: the recorded event, revision as a string. */
export const eventMessageValue = (event: RecordedEvent): string =>
  JSON.stringify({ ...event, revision: String(event.revision), position: String(event.position) });
