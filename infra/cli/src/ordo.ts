#!/usr/bin/env -S node --max-semi-space-size=64 --import tsx
// The `ordo` command (docs/cli.md): `npm run ordo -- <command>`. Usage errors exit 2 with
// commander's message, failures (an unreachable server, an unknown name, work left undone)
// exit 1, each as one `ordo: ...` line on stderr.
//
// It runs with a young generation of 64 MiB semi-spaces (package.json's `ordo`, and the
// line above): a rebuild makes millions of short-lived objects, and with V8's default
// (16 MiB) its garbage collection took a fifth of the fill (docs/decisions.md, "Rebuild
// speed"). The replay bench runs with the same flag (its `node-options` line).
import { Command, CommanderError, Option } from 'commander';
import { dlqCommand } from './commands/dlq';
import { CliFailure, describe } from './commands/failure';
import { replayCommand } from './commands/replay';
import { runReplay } from './commands/replay-run';
import { republishCommand } from './commands/republish';
import { statusCommand } from './commands/status';
import { MODES, resolveTarget, type Mode } from './commands/target';
import { shopProjections } from './projections';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

const program = new Command('ordo')
  .description('Operate an Ordo shop: its status, replay projections, republish event topics, inspect and redrive dead letters')
  .addOption(
    new Option(
      '--mode <mode>',
      'the shop to talk to (default: local when KAFKA_BROKERS or DATABASE_URL is set, else embedded when ORDO_URL is set or ORDO_DATA_DIR exists)',
    ).choices(MODES),
  );

const target = () => resolveTarget(program.opts<{ mode?: Mode }>().mode);

program.addCommand(replayCommand({ target, projections: () => shopProjections, run: (plan, at) => runReplay(plan, at, { out }) }));
program.addCommand(republishCommand({ target, out }));
program.addCommand(dlqCommand({ target, out, err }));
program.addCommand(statusCommand({ target, out }));

const pathOf = (command: Command): string => (command.parent ? `${pathOf(command.parent)} ${command.name()}` : command.name());

/** Usage errors throw (main gives them exit 2) and print as `ordo: ...`, in every command. */
const asOrdo = (command: Command): void => {
  command
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`ordo: ${message.replace(/^error: /, '')}`) })
    .showHelpAfterError(`(${pathOf(command)} --help shows its usage)`)
    .showSuggestionAfterError();
  command.commands.forEach(asOrdo);
};
asOrdo(program);

const main = async () => {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not errors; everything else commander refuses is usage.
      process.exitCode = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) && error.exitCode === 0 ? 0 : 2;
      return;
    }
    err(`ordo: ${describe(error)}`);
    if (!(error instanceof CliFailure) && process.env.ORDO_DEBUG) err(String((error as Error).stack));
    process.exitCode = 1;
  }
};

void main();
