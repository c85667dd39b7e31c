import { Kafka, logLevel } from 'kafkajs';

/**
 * True when a broker at these addresses answers a metadata request and has a
 * controller: the point from which topics can be created and messages produced.
 */
export const brokerAnswers = async (brokers: string[], timeoutMs = 2_000): Promise<boolean> => {
  const admin = new Kafka({
    clientId: 'ordo-kafka-probe',
    brokers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};
