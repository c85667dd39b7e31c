// The dashboard's API as the page calls it: same origin, the session cookie sent by the
// browser, the session's CSRF token in a header on every change. The shapes are what
// src/view.ts, src/operate.ts and @ordo/saga's view answer.

export const API = '/v1/saga-dashboard';

export const STATES = ['running', 'compensating', 'stuck', 'completed', 'rolled-back', 'failed', 'resolved'] as const;
export type InstanceState = (typeof STATES)[number];

export interface Session {
  subject: string;
  roles: string[];
  csrfToken: string;
}

export interface InstanceSummary {
  sagaId: string;
  saga: string;
  version: number;
  key: string;
  state: InstanceState;
  currentStep: string | null;
  stepCount: number;
  correlationId: string | null;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  nextWakeAt: string | null;
  reason: string | null;
  timeouts: number;
  retries: number;
}

export interface InstancePage {
  items: InstanceSummary[];
  next: string | null;
}

export type Counts = Record<InstanceState, number>;

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'skipped' | 'failed' | 'compensating' | 'compensated' | 'compensation-failed';

export interface CommandView {
  commandId: string;
  kind: 'action' | 'compensation';
  type: string;
  target: string;
  aggregateId: string;
  line?: string;
  outcome?: 'success' | 'failure';
  replyType?: string;
  reason?: string;
  attempt?: number;
  dueAt?: string;
  timeouts?: number;
  retryAt?: string;
}

export interface StepView {
  name: string;
  command?: string;
  target?: string;
  compensation?: string;
  pivot?: boolean;
  fanOut?: boolean;
  status: StepStatus;
  commands: CommandView[];
}

export interface SagaView {
  sagaId: string;
  saga: string;
  version: number;
  key: string;
  status: string;
  nextWakeAt?: string;
  reason?: string;
  failed?: { step: string; line?: string; kind: 'action' | 'compensation'; reason: string };
  ignoredReplies: { replyId: string; replyType: string; commandId?: string; why: string; detail: string; at: string }[];
  operatorActions: { action: 'retry' | 'compensate' | 'resolve'; by: string; reason: string; at: string }[];
  steps: StepView[];
}

export interface InstanceDetail {
  summary: InstanceSummary;
  saga: SagaView;
}

export interface HistoryEntry {
  revision: string;
  type: string;
  data: unknown;
  correlationId: string | null;
  causationId: string | null;
  traceId: string | null;
  recordedAt: string;
}

export interface HistoryPage {
  items: HistoryEntry[];
  next: string | null;
}

export interface Throughput {
  since: string;
  minutes: { minute: string; started: number; completed: number; rolledBack: number; failed: number }[];
}

export interface ParkedKey {
  consumer: string;
  key: string;
  count: number;
  firstError: string;
  parkedAt: string;
  ageSeconds: number;
}

export interface DeadLetters {
  items: ParkedKey[];
  unreachable: { services: string[]; error: string }[];
}

export interface Redriven {
  consumer: string;
  key: string;
  applied: number;
  remaining: number;
  error?: string;
}

export type OperatorAction = 'retry' | 'compensate' | 'resolve';

/** What the API refused, from its problem+json: shown to the user as it came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }
}

let csrfToken = '';
let onUnauthorized: () => void = () => undefined;

/** The session's CSRF token, sent with every change; and what to do when the session has ended (a 401). */
export const useSession = (session: Session | null, unauthorized: () => void): void => {
  csrfToken = session?.csrfToken ?? '';
  onUnauthorized = unauthorized;
};

const call = async <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, { quiet401 = false } = {}): Promise<T> => {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as { title?: string; detail?: string };
    if (response.status === 401 && !quiet401) onUnauthorized();
    throw new ApiError(response.status, problem.title ?? (response.statusText || `HTTP ${response.status}`), problem.detail);
  }
  return parsed as T;
};

const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

const instancePath = (sagaId: string) => `${API}/instances/${encodeURIComponent(sagaId)}`;

export const api = {
  currentSession: () => call<Session>('GET', `${API}/session`, undefined, { quiet401: true }),
  logIn: (token: string) => call<Session>('POST', `${API}/session`, { token }, { quiet401: true }),
  logOut: () => call<undefined>('DELETE', `${API}/session`),
  instances: (filters: Record<string, string | number | undefined>) => call<InstancePage>('GET', `${API}/instances${query(filters)}`),
  counts: () => call<Counts>('GET', `${API}/counts`),
  instance: (sagaId: string) => call<InstanceDetail>('GET', instancePath(sagaId)),
  history: (sagaId: string, after: string | undefined, limit: number) => call<HistoryPage>('GET', `${instancePath(sagaId)}/history${query({ after, limit })}`),
  throughput: () => call<Throughput>('GET', `${API}/throughput`),
  act: (sagaId: string, action: OperatorAction, reason: string) => call<SagaView>('POST', `${instancePath(sagaId)}/${action}`, { reason }),
  deadLetters: () => call<DeadLetters>('GET', `${API}/dead-letters`),
  redrive: (consumer: string, key: string) => call<Redriven>('POST', `${API}/dead-letters/${encodeURIComponent(consumer)}/${encodeURIComponent(key)}/redrive`),
};

/** An operator (or an admin) acts and sees dead letters; a viewer only reads. */
export const isOperator = (session: Session): boolean => session.roles.some((role) => role === 'operator' || role === 'admin');

/** The highest role of the session, to show. */
export const roleOf = (session: Session): string =>
  ['admin', 'operator', 'viewer', 'customer'].find((role) => session.roles.includes(role)) ?? session.roles.join(', ');

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
