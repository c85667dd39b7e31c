import { evolve, initialState, type SagaEvent } from '@ordo/saga';
import { eventsOf, recordedInstance, recordedInstances } from '../test/fixture-events';
import { evolveInstanceRow, type SagaInstanceRow } from './instance-row';

/** The row after every event, as the row projection folds it (its own columns replaced). */
const rowAfter = (events: ReturnType<typeof eventsOf>, upTo = events.length): SagaInstanceRow => {
  let row: SagaInstanceRow | null = null;
  for (const event of events.slice(0, upTo)) row = { ...(row ?? { saga_id: event.stream }), ...evolveInstanceRow(row, event) } as SagaInstanceRow;
  if (!row) throw new Error('no events');
  return row;
};

describe('an instance’s dashboard row', () => {
  it('shows a completed instance as ended, at no step, with its timestamps', () => {
    const fixture = recordedInstance('completed.json');
    const events = eventsOf(fixture);
    const row = rowAfter(events);
    expect(row).toMatchObject({
      saga_id: fixture.instance,
      saga: 'orderPlacement',
      version: 3,
      status: 'completed',
      current_step: null,
      next_wake_at: null,
      timeouts: 0,
      retries: 0,
      reason: null,
      updated_at: events.at(-1)?.recordedAt.toISOString(),
      ended_at: events.at(-1)?.recordedAt.toISOString(),
    });
    expect(row.business_key).toBe(fixture.instance.slice('orderPlacement-'.length));
    expect(row.step_count).toBe(row.state?.steps.length);
    expect(row.started_at).toBe(fixture.history[0]?.input.now);
  });

  it('follows a step that times out, is sent again, and is compensated', () => {
    const events = eventsOf(recordedInstance('payment-times-out.json'));
    // Just after the first sending of the authorization: it waits, with a deadline.
    const waiting = rowAfter(
      events,
      events.findIndex((event) => event.type === 'StepTimedOut'),
    );
    expect(waiting).toMatchObject({ status: 'running', current_step: 'authorizePayment', ended_at: null });
    expect(waiting.next_wake_at).toEqual(expect.any(String));

    const compensating = rowAfter(events, events.findIndex((event) => event.type === 'SagaCompensating') + 1);
    expect(compensating).toMatchObject({ status: 'compensating', timeouts: 2, retries: 1 });
    expect(compensating.reason).toEqual(expect.any(String));

    const rolledBack = rowAfter(events);
    expect(rolledBack).toMatchObject({ status: 'rolled-back', current_step: null, timeouts: 2, retries: 1, next_wake_at: null });
    expect(rolledBack.ended_at).toEqual(expect.any(String));
  });

  it('shows a failed instance at the step that failed, and resolved once an operator resolves it', () => {
    const events = eventsOf(recordedInstance('capture-fails-resolved.json'));
    const failed = rowAfter(events, events.findIndex((event) => event.type === 'SagaFailed') + 1);
    expect(failed).toMatchObject({ status: 'failed', current_step: failed.state?.failed?.step, ended_at: null });
    expect(failed.reason).toBe(failed.state?.failed?.reason);
    expect(rowAfter(events)).toMatchObject({ status: 'resolved', current_step: null });
  });

  it('folds every recorded instance as the engine does, its state stored as jsonb between events', () => {
    const fixtures = ['v1', 'v2', 'v3'].flatMap((version) => recordedInstances(version));
    expect(fixtures.length).toBeGreaterThan(20);
    for (const fixture of fixtures) {
      const events = eventsOf(fixture);
      // Live, each batch loads the row again: its state comes back from jsonb.
      let row: SagaInstanceRow | null = null;
      for (const event of events)
        row = JSON.parse(JSON.stringify({ ...(row ?? { saga_id: event.stream }), ...evolveInstanceRow(row, event) })) as SagaInstanceRow;
      const folded = events.reduce((state, event) => evolve(state, { type: event.type, data: event.data } as SagaEvent), initialState());
      expect(row?.state).toEqual(JSON.parse(JSON.stringify(folded)));
    }
  });
});
