// Lint fixture (tools/lint-fixtures/README.md): alpha's service, which no other context may import.
import type { AlphaPinged } from '@ordo-fixtures/alpha-contract';

export const pingAlpha = (at: string): AlphaPinged => ({ type: 'AlphaPinged', data: { at } });
