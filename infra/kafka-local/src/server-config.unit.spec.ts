import { newClusterId, serverProperties } from './server-config';

const parse = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );

describe('the single-node broker configuration', () => {
  const props = parse(serverProperties({ port: 19092, controllerPort: 19093, dataDir: '/tmp/kafka-data' }));

  it('runs broker and controller in one KRaft node on loopback', () => {
    expect(props).toMatchObject({
      'process.roles': 'broker,controller',
      'controller.quorum.voters': '1@127.0.0.1:19093',
      listeners: 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:19092',
      'log.dirs': '/tmp/kafka-data',
    });
  });

  it('uses replication factor 1 for internal topics and starts consumer groups without delay', () => {
    expect(props).toMatchObject({
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
    });
  });

  it('makes cluster ids Kafka accepts: 22 base64url characters, never a leading dash', () => {
    for (let i = 0; i < 200; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
