// `ordo dlq list | show | redrive`: the sequenced dead letters of every consumer, over the
// services' operator routes, since a redrive runs the consumer's own handler in its service.
import { Command } from 'commander';
import { columns } from './columns';
import { timeoutOption } from './options';
import { operatorApi, type OperatorApi, type ParkedKeyRow, type ParkedMessageRow } from './operator-api';
import { CliFailure } from './failure';
import { endpointsOf, operatorToken, type Target } from './target';

export interface DlqIo {
  target: () => Target;
  out: (line: string) => void;
  err: (line: string) => void;
}

const firstLine = (text: string) => text.split('\n')[0] ?? '';

/** A message as pretty JSON: its value parsed when it is JSON. */
const printable = (message: ParkedMessageRow) => {
  let value: unknown = message.value;
  try {
    value = message.value === null ? null : JSON.parse(message.value);
  } catch {
    // not JSON: shown as the text it is
  }
  return JSON.stringify({ ...message, value }, null, 2);
};

const apiOf = (target: Target, timeoutMs: number): OperatorApi => operatorApi(endpointsOf(target), operatorToken(target), timeoutMs);

const keysToVisit = (keys: ParkedKeyRow[], key: string | undefined) => (key === undefined ? keys.map((row) => row.key) : [key]);

export const dlqCommand = (io: DlqIo): Command => {
  const dlq = new Command('dlq').description("the consumers' sequenced dead letters: list them, show a key's messages, redrive a key in order");

  dlq
    .command('list')
    .description('every parked key of every consumer, oldest first')
    .addOption(timeoutOption('how long to wait for each service to answer', 30_000))
    .action(async (options: { timeout: number }) => {
      const target = io.target();
      const { rows, unreachable } = await apiOf(target, options.timeout).listAll();
      // With nobody answering, "nothing is parked" would be a guess.
      if (rows.length === 0 && unreachable.length < endpointsOf(target).length) io.out('nothing is parked');
      if (rows.length > 0) {
        const cells = rows.map((row) => [row.consumer, row.key, String(row.count), row.parkedAt, firstLine(row.firstError)]);
        for (const line of columns(['CONSUMER', 'KEY', 'MESSAGES', 'PARKED AT', 'FIRST ERROR'], cells)) io.out(line);
      }
      if (unreachable.length > 0) {
        for (const line of unreachable) io.err(`ordo: ${line}`);
        throw new CliFailure(`${unreachable.length} service(s) could not be asked`);
      }
    });

  dlq
    .command('show')
    .description("a parked key's messages in the order a redrive applies them (every key of the consumer without <key>)")
    .argument('<consumer>', "the consumer's group id (ordo dlq list names them)")
    .argument('[key]', 'the key (sequence) to show')
    .addOption(timeoutOption('how long to wait for each service to answer', 30_000))
    .action(async (consumer: string, key: string | undefined, options: { timeout: number }) => {
      const api = apiOf(io.target(), options.timeout);
      const { endpoint, keys } = await api.ownerOf(consumer);
      const visiting = keysToVisit(keys, key);
      if (visiting.length === 0) io.out(`${consumer} has nothing parked`);
      for (const each of visiting) {
        const messages = await api.messages(endpoint, consumer, each);
        io.out(`# ${consumer} ${each}: ${messages.length} parked message(s)`);
        for (const message of messages) io.out(printable(message));
      }
    });

  dlq
    .command('redrive')
    .description(
      "applies a parked key's messages in order through the consumer's handler, stopping at the first that fails again (every key of the consumer without <key>); exits 1 when something stays parked",
    )
    .argument('<consumer>', "the consumer's group id (ordo dlq list names them)")
    .argument('[key]', 'the key (sequence) to redrive')
    .addOption(timeoutOption('how long to wait for each service to answer', 30_000))
    .action(async (consumer: string, key: string | undefined, options: { timeout: number }) => {
      const api = apiOf(io.target(), options.timeout);
      const { endpoint, keys } = await api.ownerOf(consumer);
      const visiting = keysToVisit(keys, key);
      if (visiting.length === 0) io.out(`${consumer} has nothing parked`);
      let remaining = 0;
      for (const each of visiting) {
        const result = await api.redrive(endpoint, consumer, each);
        remaining += result.remaining;
        io.out(`${consumer} ${each}: applied ${result.applied}, remaining ${result.remaining}${result.error ? ` (${firstLine(result.error)})` : ''}`);
      }
      if (remaining > 0) throw new CliFailure(`${remaining} message(s) remain parked; fix the cause and redrive again`);
    });

  return dlq;
};
