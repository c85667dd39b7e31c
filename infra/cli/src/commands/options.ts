import { InvalidArgumentError, Option } from 'commander';

/** `--timeout <ms>`: a whole number of milliseconds above 0 (commander's usage error otherwise). */
export const timeoutOption = (description: string, defaultMs: number): Option =>
  new Option('--timeout <ms>', description).default(defaultMs).argParser((value) => {
    const ms = Number(value);
    if (!Number.isInteger(ms) || ms <= 0) throw new InvalidArgumentError('expected a whole number of milliseconds');
    return ms;
  });
