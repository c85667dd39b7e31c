import { listenerCensus } from './listener-census';

/** A census over a scripted pg_stat_activity: each query answers the next of `answers` (an Error rejects). */
const scripted = (answers: (boolean | Error)[]) => {
  const asked: unknown[][] = [];
  let clock = 0;
  let ownListener: number | undefined = 4242;
  const census = listenerCensus({
    query: async (_text, params) => {
      asked.push(params);
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return { rows: [{ others: answer }] };
    },
    applicationName: 'ordo-eventstore-listen',
    ownListener: () => ownListener,
    everyMs: 1_000,
    now: () => clock,
  });
  return {
    census,
    asked,
    advance: (ms: number) => void (clock += ms),
    loseListener: () => void (ownListener = undefined),
  };
};

describe("the census of other drivers' LISTEN connections", () => {
  it('is taken at the first ask, and again only once its time is up, leaving out its own listener', async () => {
    const { census, asked, advance } = scripted([false, true]);

    expect(await census.othersListening()).toBe(false);
    advance(999);
    expect(await census.othersListening()).toBe(false);
    expect(asked).toEqual([['ordo-eventstore-listen', 4242]]);

    advance(1);
    expect(await census.othersListening()).toBe(true);
    expect(asked).toHaveLength(2);
  });

  it('asked many times while it is being taken, takes it once', async () => {
    const { census, asked } = scripted([false]);

    const answers = await Promise.all([census.othersListening(), census.othersListening(), census.othersListening()]);

    expect(answers).toEqual([false, false, false]);
    expect(asked).toHaveLength(1);
  });

  it('counts listeners as present when the census fails, or when nothing says otherwise', async () => {
    const { census, advance } = scripted([new Error('connection refused'), false, undefined as unknown as boolean]);

    expect(await census.othersListening()).toBe(true);
    advance(1_000);
    expect(await census.othersListening()).toBe(false);
    advance(1_000);
    expect(await census.othersListening()).toBe(true);
  });

  it('without a listener of its own, counts every listener as another', async () => {
    const { census, asked, loseListener } = scripted([true]);
    loseListener();

    await census.othersListening();

    expect(asked).toEqual([['ordo-eventstore-listen', 0]]);
  });
});
