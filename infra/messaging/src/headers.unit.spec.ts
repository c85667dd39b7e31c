import type { RecordedEvent } from '@ordo/eventstore';
import { HEADER, headersOf, messageIdOf, readHeaders } from './headers';

const event: RecordedEvent = {
  id: '6f1c1a52-0000-4000-8000-000000000001',
  type: 'CommandIssued',
  stream: 'saga-1',
  revision: 0n,
  position: 1n,
  data: {},
  metadata: { correlationId: 'order-1', causationId: 'order-1', schemaVersion: 1 },
  recordedAt: new Date(0),
};

describe('message headers', () => {
  it('give the event its own id and the command copy an id derived from it, the same each time', () => {
    expect(messageIdOf(event)).toBe(event.id);
    const commandId = messageIdOf(event, 'command');
    expect(commandId).not.toBe(event.id);
    expect(messageIdOf({ id: event.id }, 'command')).toBe(commandId);
    expect(messageIdOf({ id: '6f1c1a52-0000-4000-8000-000000000002' }, 'command')).not.toBe(commandId);
  });

  it('say which kind of message each is', () => {
    expect(readHeaders(headersOf(event))).toMatchObject({ [HEADER.eventId]: event.id, [HEADER.messageKind]: 'event' });
    expect(readHeaders(headersOf(event, 'command'))).toMatchObject({ [HEADER.eventId]: messageIdOf(event, 'command'), [HEADER.messageKind]: 'command' });
  });
});
