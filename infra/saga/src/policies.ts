// A step's deadline and retry policy (docs/sagas.md, "Deadlines and retries"): how long a
// sending waits for its reply, and how long the engine waits before sending again.
import type { RetryPolicy, StepPolicies } from './definition';
import type { CommandKind } from './instance';

/** The first wait before a retry, when a step's policy names none. */
export const DEFAULT_BACKOFF_MS = 1_000;
/** Waits double per attempt up to this, when a step's policy names no cap. */
export const DEFAULT_MAX_BACKOFF_MS = 60_000;
/**
 * How often a refused compensation is sent (each time in a new round) before the instance
 * stops for an operator, when its step's policy names no `attempts`.
 */
export const DEFAULT_COMPENSATION_ATTEMPTS = 3;

/** `now` plus `ms`, as the ISO time events carry. */
export const later = (now: string, ms: number): string => new Date(Date.parse(now) + ms).toISOString();

/** When a sending at `now` stops waiting for its reply; undefined for a step without `timeoutMs`. */
export const dueAfter = ({ timeoutMs }: StepPolicies, now: string): string | undefined => (timeoutMs === undefined ? undefined : later(now, timeoutMs));

/** The retry policy of a step's action or of its compensation. */
export const retryPolicyOf = ({ retry, compensationRetry }: StepPolicies, kind: CommandKind): RetryPolicy | undefined =>
  kind === 'action' ? retry : compensationRetry;

/** The wait after the `attempt`-th sending was refused or timed out: doubling from `backoffMs`, capped. */
export const backoffAfter = (policy: RetryPolicy | undefined, attempt: number): number => {
  const first = policy?.backoffMs ?? DEFAULT_BACKOFF_MS;
  const cap = policy?.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  return Math.min(first * 2 ** Math.max(0, attempt - 1), cap);
};

/** How often an action that gets no reply is sent before its saga compensates (before the pivot only). */
export const actionAttempts = ({ retry }: StepPolicies): number => retry?.attempts ?? 1;

/** How often a compensation that is refused is sent, each time in a new round, before the instance fails. */
export const compensationAttempts = ({ compensationRetry }: StepPolicies): number => compensationRetry?.attempts ?? DEFAULT_COMPENSATION_ATTEMPTS;
