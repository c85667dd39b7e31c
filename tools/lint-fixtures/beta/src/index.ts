// Lint fixture (tools/lint-fixtures/README.md): a context that reacts to alpha's events.
import type { AlphaPinged } from '@ordo-fixtures/alpha-contract';

export const isAlphaPinged = (event: { type: string }): event is AlphaPinged => event.type === 'AlphaPinged';
