export { startTestHost, type TestHost, type TestHostOptions } from './test-host';
export { issueCommand, recordEvent, eventsOf, answersTo, parkedKeys, deliverAgain, type IssuedCommand, type RecordedByParticipant } from './conversation';
export { startKafkaTestHost, type KafkaTestHost, type KafkaTestHostOptions } from './kafka-host';
