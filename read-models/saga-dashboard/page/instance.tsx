// One instance: its summary, the operator's actions (when it failed or is stuck), its steps
// as a timeline (each command with its answer, deadline, retries, timeouts and how long it
// took), the compensations in the order they were sent, what operators did, and its whole
// history, paged. Reloaded when the live stream says it changed.
import { useEffect, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  isOperator,
  messageOf,
  type CommandView,
  type HistoryEntry,
  type InstanceDetail,
  type OperatorAction,
  type Session,
  type StepStatus,
  type StepView,
} from './api';
import { dateTime, pretty, relative, span } from './format';
import { StateBadge, useNow } from './list';
import { useLiveStatus, useLiveUpdates } from './live';

/** History entries per request: enough for most instances at once; more on demand. */
const HISTORY_PAGE = 300;

const STEP_LABELS: Record<StepStatus, string> = {
  pending: 'to come',
  running: 'running',
  succeeded: 'done',
  skipped: 'skipped',
  failed: 'failed',
  compensating: 'compensating',
  compensated: 'compensated',
  'compensation-failed': 'compensation failed',
};

/** When each command was first sent and when it was answered, from the history loaded so far. */
interface Timing {
  sentAt?: string;
  answeredAt?: string;
}

type Timings = Map<string, Timing>;

const dataOf = (entry: HistoryEntry) => (entry.data ?? {}) as Record<string, unknown>;

const timingsOf = (history: HistoryEntry[]): Timings => {
  const timings: Timings = new Map();
  const of = (commandId: string) => {
    let timing = timings.get(commandId);
    if (!timing) timings.set(commandId, (timing = {}));
    return timing;
  };
  for (const entry of history) {
    const data = dataOf(entry);
    if (entry.type === 'CommandIssued') {
      const command = data.command as { commandId?: string } | undefined;
      const timing = command?.commandId ? of(command.commandId) : undefined;
      if (timing && !timing.sentAt) timing.sentAt = String(data.at ?? entry.recordedAt);
    } else if (entry.type === 'ReplyReceived' && typeof data.commandId === 'string') {
      of(data.commandId).answeredAt = String(data.at ?? entry.recordedAt);
    }
  }
  return timings;
};

const took = (timing: Timing | undefined, now: number): string => {
  if (!timing?.sentAt) return '';
  if (timing.answeredAt) return span(Date.parse(timing.answeredAt) - Date.parse(timing.sentAt));
  return `waiting ${span(now - Date.parse(timing.sentAt))}`;
};

/** A step's span: from its first action sent to its last answered, or to now while one waits. */
const stepTook = (step: StepView, timings: Timings, now: number): string => {
  const actions = step.commands.filter((command) => command.kind === 'action').map((command) => timings.get(command.commandId));
  const sent = actions.map((timing) => timing?.sentAt).filter((at): at is string => at !== undefined);
  if (sent.length === 0 || sent.length < actions.length) return '';
  const start = Math.min(...sent.map(Date.parse));
  const answered = actions.map((timing) => timing?.answeredAt);
  if (answered.every((at): at is string => at !== undefined)) return span(Math.max(...answered.map(Date.parse)) - start);
  return `${span(now - start)} so far`;
};

const Outcome = ({ command }: { command: CommandView }) => {
  if (!command.outcome) return <span class="muted">no answer yet</span>;
  return (
    <span class={`outcome outcome-${command.outcome}`}>
      {command.replyType ?? command.outcome}
      {command.reason ? `: ${command.reason}` : ''}
    </span>
  );
};

const CommandRows = ({ step, timings, now }: { step: StepView; timings: Timings; now: number }) => (
  <table class="commands">
    <thead>
      <tr>
        <th>Command</th>
        <th>Line</th>
        <th>Answer</th>
        <th>Attempt</th>
        <th>Deadline</th>
        <th>Timeouts</th>
        <th>Took</th>
      </tr>
    </thead>
    <tbody>
      {step.commands.map((command) => (
        <tr key={`${command.commandId}/${command.kind}`} class={`command command-${command.kind}`}>
          <td>
            {command.kind === 'compensation' && <span class="tag">compensation</span>} {command.type} <span class="muted">→ {command.target}</span>
          </td>
          <td class="mono">{command.line ?? ''}</td>
          <td>
            <Outcome command={command} />
          </td>
          <td>{command.attempt ?? 1}</td>
          <td>
            {command.dueAt && (
              <span class="deadline" title={dateTime(command.dueAt)}>
                due {dateTime(command.dueAt)} ({relative(command.dueAt, now)})
              </span>
            )}
            {command.retryAt && <span title={dateTime(command.retryAt)}>sent again {relative(command.retryAt, now)}</span>}
          </td>
          <td>{command.timeouts ?? 0}</td>
          <td>{took(timings.get(command.commandId), now)}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const Timeline = ({ steps, timings, now }: { steps: StepView[]; timings: Timings; now: number }) => (
  <ol class="timeline">
    {steps.map((step) => (
      <li key={step.name} class={`step step-${step.status}`} data-step={step.name} data-status={step.status}>
        <div class="step-head">
          <strong class="step-name">{step.name}</strong>
          {step.pivot && <span class="tag">pivot</span>}
          <span class={`step-status status-${step.status}`}>{STEP_LABELS[step.status]}</span>
          <span class="muted">
            {step.command ? `${step.command} → ${step.target ?? ''}` : 'no action'}
            {step.compensation ? ` · undone by ${step.compensation}` : ''}
          </span>
          <span class="took">{stepTook(step, timings, now)}</span>
        </div>
        {step.commands.length > 0 && <CommandRows step={step} timings={timings} now={now} />}
      </li>
    ))}
  </ol>
);

/** Compensations in the order they were sent: by the history where it is loaded, else the engine's rule (last step first). */
const Compensations = ({ steps, history }: { steps: StepView[]; history: HistoryEntry[] }) => {
  const sentAt = new Map<string, number>();
  for (const [index, entry] of history.entries()) {
    const data = dataOf(entry);
    const command = data.command as { commandId?: string } | undefined;
    if (entry.type === 'CommandIssued' && data.kind === 'compensation' && command?.commandId && !sentAt.has(command.commandId))
      sentAt.set(command.commandId, index);
  }
  // The engine's order first (the last step first), then the history's where it shows them.
  const compensations = [...steps]
    .reverse()
    .flatMap((step) => step.commands.filter((command) => command.kind === 'compensation').map((command) => ({ step, command })));
  if (compensations.length === 0) return null;
  const order = (commandId: string) => sentAt.get(commandId) ?? Number.MAX_SAFE_INTEGER;
  // A stable sort: those the loaded history does not show yet keep the engine's order, after the rest.
  const ordered = [...compensations].sort((a, b) => order(a.command.commandId) - order(b.command.commandId));
  return (
    <section class="panel">
      <h2>Compensations, in the order sent</h2>
      <ol class="compensations">
        {ordered.map(({ step, command }) => (
          <li key={command.commandId} data-step={step.name}>
            <strong>{step.name}</strong>: {command.type}
            {command.line ? <span class="mono"> ({command.line})</span> : ''} — <Outcome command={command} />
          </li>
        ))}
      </ol>
    </section>
  );
};

const ACTIONS: { action: OperatorAction; label: string; field: string; submit: string }[] = [
  { action: 'retry', label: 'Retry', field: 'Why retry it now?', submit: 'Retry' },
  { action: 'compensate', label: 'Force compensation', field: 'Why undo it?', submit: 'Compensate' },
  { action: 'resolve', label: 'Resolve', field: 'How was it resolved?', submit: 'Mark resolved' },
];

const Actions = ({ sagaId, onDone }: { sagaId: string; onDone: () => void }) => {
  const [chosen, setChosen] = useState<OperatorAction | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = ACTIONS.find((each) => each.action === chosen);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setRefusal(null);
    try {
      await api.act(sagaId, chosen, reason.trim());
      setDone(`${action?.label ?? chosen}: done.`);
      setChosen(null);
      setReason('');
      onDone();
    } catch (failure) {
      setRefusal(
        failure instanceof ApiError && failure.status === 409 ? `Refused: ${failure.detail ?? failure.title}` : `The action failed: ${messageOf(failure)}`,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel actions" aria-label="Operator actions">
      <h2>Act on it</h2>
      <div class="buttons">
        {ACTIONS.map((each) => (
          <button
            key={each.action}
            type="button"
            class={chosen === each.action ? 'current' : ''}
            onClick={() => {
              setChosen(each.action);
              setRefusal(null);
              setDone(null);
            }}
          >
            {each.label}
          </button>
        ))}
      </div>
      {action && (
        <form class="act" onSubmit={submit}>
          <label>
            {action.field}
            <textarea name="reason" required maxLength={1_000} rows={2} value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
          </label>
          <div class="buttons">
            <button type="submit" class="primary" disabled={busy || reason.trim() === ''}>
              {action.submit}
            </button>
            <button type="button" onClick={() => setChosen(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {refusal && (
        <p class="problem" role="alert">
          {refusal}
        </p>
      )}
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
    </section>
  );
};

/** A line saying what an event was about, from its payload. */
const gist = (entry: HistoryEntry): string => {
  const data = dataOf(entry);
  const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  switch (entry.type) {
    case 'CommandIssued': {
      const command = data.command as { type?: string } | undefined;
      return `${text(command?.type)} → ${text(data.target)}${data.line ? ` (${text(data.line)})` : ''}${data.kind === 'compensation' ? ', compensation' : ''}${data.attempt ? `, attempt ${text(data.attempt)}` : ''}`;
    }
    case 'ReplyReceived':
      return `${text(data.replyType)}: ${text(data.outcome)}${data.reason ? ` (${text(data.reason)})` : ''}`;
    case 'OperatorRetried':
    case 'OperatorCompensated':
      return `by ${text(data.by)}: ${text(data.reason)}`;
    case 'SagaResolved':
      return `by ${text(data.by)}: ${text(data.comment)}`;
    case 'SagaCompensating':
    case 'SagaRolledBack':
    case 'SagaFailed':
      return text(data.reason);
    case 'StepTimedOut':
      return `${text(data.step)}, attempt ${text(data.attempt)}`;
    case 'ReplyIgnored':
      return `${text(data.replyType)}: ${text(data.why)}`;
    default:
      return '';
  }
};

const HistoryItem = ({ entry }: { entry: HistoryEntry }) => {
  // The payload is rendered only once opened: thousands of closed entries stay cheap.
  const [open, setOpen] = useState(false);
  return (
    <li class="event" data-type={entry.type}>
      <div class="event-head">
        <span class="revision">#{entry.revision}</span>
        <strong>{entry.type}</strong>
        <span class="gist">{gist(entry)}</span>
        <time dateTime={entry.recordedAt}>{dateTime(entry.recordedAt)}</time>
      </div>
      <div class="ids">
        <span>correlation {entry.correlationId ?? '—'}</span>
        <span>causation {entry.causationId ?? '—'}</span>
        <span>trace {entry.traceId ?? '—'}</span>
      </div>
      <details onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>payload</summary>
        {open && <pre>{pretty(entry.data)}</pre>}
      </details>
    </li>
  );
};

interface HistoryState {
  items: HistoryEntry[];
  next: string | null;
}

export const InstanceView = ({ sagaId, session }: { sagaId: string; session: Session }) => {
  const { generation } = useLiveStatus();
  const [detail, setDetail] = useState<InstanceDetail | null>(null);
  const [history, setHistory] = useState<HistoryState>({ items: [], next: null });
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [reloads, setReloads] = useState(0);
  const now = useNow(5_000);

  // The instance and the first page of its history; again when the live stream says it changed.
  useEffect(() => {
    if (generation === 0) return;
    let current = true;
    Promise.all([api.instance(sagaId), api.history(sagaId, undefined, HISTORY_PAGE)])
      .then(([loaded, page]) => {
        if (!current) return;
        setDetail(loaded);
        // Pages loaded beyond the first are kept: the first is read again, the rest follows it.
        setHistory((shown) => (shown.items.length > page.items.length && shown.items[0]?.revision === page.items[0]?.revision ? shown : page));
        setError(null);
      })
      .catch((failure: unknown) => current && setError(messageOf(failure)));
    return () => {
      current = false;
    };
  }, [sagaId, generation, reloads]);

  useLiveUpdates((update) => {
    if (update.instances.some((instance) => instance.sagaId === sagaId)) setReloads((count) => count + 1);
  });

  // Reloading when everything is shown reads only what is new; otherwise "load more" reaches it.
  useEffect(() => {
    if (reloads === 0 || history.next !== null || history.items.length === 0) return;
    const last = history.items.at(-1)?.revision;
    api.history(sagaId, last, HISTORY_PAGE).then(
      (page) => setHistory((shown) => (shown.items.at(-1)?.revision === last ? { items: [...shown.items, ...page.items], next: page.next } : shown)),
      () => undefined,
    );
    // Only on a reload.
  }, [reloads]);

  const loadMore = async () => {
    const last = history.items.at(-1)?.revision;
    setLoadingMore(true);
    try {
      const page = await api.history(sagaId, last, HISTORY_PAGE);
      setHistory((shown) => ({ items: [...shown.items, ...page.items], next: page.next }));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setLoadingMore(false);
    }
  };

  if (!detail)
    return (
      <main>
        <p>
          <a href="#/">← Instances</a>
        </p>
        {error ? (
          <p class="problem" role="alert">
            {error}
          </p>
        ) : (
          <p class="muted">Loading {sagaId}…</p>
        )}
      </main>
    );

  const { summary, saga } = detail;
  const timings = timingsOf(history.items);
  const actionable = isOperator(session) && (summary.state === 'failed' || summary.state === 'stuck');
  return (
    <main class="instance">
      <p>
        <a href="#/">← Instances</a>
      </p>
      <section class="panel summary">
        <h1>
          {summary.saga} <span class="muted">v{summary.version}</span> <StateBadge state={summary.state} />
        </h1>
        <dl>
          <dt>Instance</dt>
          <dd class="mono">{summary.sagaId}</dd>
          <dt>Order</dt>
          <dd class="mono">
            <a href={`/v1/orders/${encodeURIComponent(summary.key)}`} title="the order in the orders view">
              {summary.key}
            </a>
          </dd>
          <dt>Current step</dt>
          <dd>{summary.currentStep ?? '—'}</dd>
          <dt>Started</dt>
          <dd>
            {dateTime(summary.startedAt)} <span class="muted">({span(now - Date.parse(summary.startedAt))} ago)</span>
          </dd>
          <dt>Last change</dt>
          <dd>{dateTime(summary.updatedAt)}</dd>
          {summary.endedAt && (
            <>
              <dt>Ended</dt>
              <dd>
                {dateTime(summary.endedAt)} <span class="muted">(took {span(Date.parse(summary.endedAt) - Date.parse(summary.startedAt))})</span>
              </dd>
            </>
          )}
          {summary.nextWakeAt && (
            <>
              <dt>Next deadline</dt>
              <dd>
                {dateTime(summary.nextWakeAt)} <span class="muted">({relative(summary.nextWakeAt, now)})</span>
              </dd>
            </>
          )}
          <dt>Timeouts · retries</dt>
          <dd>
            {summary.timeouts} · {summary.retries}
          </dd>
          {(saga.failed ?? summary.reason) && (
            <>
              <dt>Why</dt>
              <dd class="reason">{saga.failed ? `${saga.failed.step} (${saga.failed.kind}): ${saga.failed.reason}` : summary.reason}</dd>
            </>
          )}
          <dt>Correlation</dt>
          <dd class="mono">{summary.correlationId ?? '—'}</dd>
        </dl>
        {error && (
          <p class="problem" role="alert">
            {error}
          </p>
        )}
      </section>
      {actionable && <Actions sagaId={sagaId} onDone={() => setReloads((count) => count + 1)} />}
      <section class="panel">
        <h2>Steps</h2>
        <Timeline steps={saga.steps} timings={timings} now={now} />
      </section>
      <Compensations steps={saga.steps} history={history.items} />
      {saga.operatorActions.length > 0 && (
        <section class="panel">
          <h2>Operators' actions</h2>
          <table class="operator-actions">
            <thead>
              <tr>
                <th>Action</th>
                <th>By</th>
                <th>Why</th>
                <th>At</th>
              </tr>
            </thead>
            <tbody>
              {saga.operatorActions.map((acted) => (
                <tr key={`${acted.at}/${acted.action}`}>
                  <td>{acted.action}</td>
                  <td>{acted.by}</td>
                  <td>{acted.reason}</td>
                  <td>{dateTime(acted.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {saga.ignoredReplies.length > 0 && (
        <section class="panel">
          <h2>Replies that decided nothing</h2>
          <ul>
            {saga.ignoredReplies.map((ignored) => (
              <li key={ignored.replyId}>
                {ignored.replyType} ({ignored.why}): {ignored.detail} <span class="muted">{dateTime(ignored.at)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section class="panel">
        <h2>
          History{' '}
          <span class="muted">
            {history.items.length} event{history.items.length === 1 ? '' : 's'}
            {history.next ? ' shown, more to load' : ''}
          </span>
        </h2>
        <ol class="history">
          {history.items.map((entry) => (
            <HistoryItem key={entry.revision} entry={entry} />
          ))}
        </ol>
        {history.next && (
          <button type="button" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </section>
    </main>
  );
};
