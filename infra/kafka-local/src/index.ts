export { startBroker, stopBroker, brokerStatus, type BrokerOptions, type LocalBroker } from './broker';
export { brokerAnswers } from './probe';
export { DEFAULT_PORT } from './paths';
