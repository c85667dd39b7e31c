import type { IHeaders } from 'kafkajs';
import type { MessageProducer } from '../clients/producer';
import type { DeadLetter } from '../dead-letters/store';

/**
 * Produces a parked message to the consumer's DLQ topic, with where it came from and why,
 * for people to see; the dead-letter table is what redrive reads. Nothing without a producer.
 */
export const parkedPublisher =
  (producer: () => MessageProducer | undefined, topic: string | undefined) =>
  async (letter: DeadLetter, error: string): Promise<void> => {
    const sending = producer();
    if (!sending || !topic) return;
    const headers: IHeaders = {
      ...letter.headers,
      'dlq-error': error,
      'dlq-topic': letter.topic,
      'dlq-partition': String(letter.partition),
      'dlq-offset': letter.offset,
    };
    await sending.sendBatch([{ topic, messages: [{ key: letter.key, value: letter.value, headers }] }]);
  };
