import type { MessageProducer } from '../clients/producer';
import { createBatchHandler } from './chunks';
import { parkedPublisher } from './parked-topic';
import { createProcessor } from './processor';
import type { RunnerOptions } from './runner';

/**
 * What a Kafka runner sets up before it joins its group, whichever client it runs on: the
 * processor and the batch handler, their tables, and the producer of the DLQ topic when
 * parked messages are published there.
 */
export const setUpHandling = async <T>(options: RunnerOptions<T>, dlqProducer: () => Promise<MessageProducer>) => {
  const { deadLetters } = options;
  let producer: MessageProducer | undefined;
  const processor = createProcessor(
    options,
    deadLetters?.store,
    parkedPublisher(() => producer, deadLetters?.topic),
  );
  const handleBatch = createBatchHandler(options, processor);
  // Tables first: a database that refuses them leaves nothing connected behind.
  await processor.migrate();
  if (deadLetters?.topic) producer = await dlqProducer();
  return { processor, handleBatch, disconnect: async () => producer?.disconnect() };
};
