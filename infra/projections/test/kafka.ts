import type { Kafka } from 'kafkajs';
import type { RecordedEvent } from '@ordo/eventstore';
import { published } from './parcels';

/** Publishes events as the relay would: a parcel's to the parcels topic, a scan's to the scans topic. */
export const publishParcels = async (kafka: Kafka, topics: { parcels: string; scans: string }, events: RecordedEvent[]): Promise<void> => {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const messages = (prefix: string) => events.filter((event) => event.stream.startsWith(prefix)).map(published);
    await producer.sendBatch({
      topicMessages: [
        { topic: topics.parcels, messages: messages('parcel-') },
        { topic: topics.scans, messages: messages('scan-') },
      ].filter((batch) => batch.messages.length > 0),
    });
  } finally {
    await producer.disconnect();
  }
};
