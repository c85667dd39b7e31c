// The callers the orders specs that go through HTTP (access, cancellation) sign in as: two
// customers, a viewer and an operator, each behind a token of its own.
import type { Principal } from '@ordo/http';

export const TOKENS = new Map<string, Principal>([
  ['token-a', { subject: 'customer-a', roles: ['customer'] }],
  ['token-b', { subject: 'customer-b', roles: ['customer'] }],
  ['token-viewer', { subject: 'support', roles: ['viewer'] }],
  ['token-ops', { subject: 'ops', roles: ['operator'] }],
]);
