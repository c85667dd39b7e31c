import { groupCommit, type GroupCommitOptions } from './group-commit';

interface Append {
  name: string;
  size?: number;
}

/** A round trip the test finishes by hand, so it decides what is in flight when. */
const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
};

/** Lets finished round trips settle and the next one go (the store sends it a turn later). */
const turn = async () => {
  for (let index = 0; index < 3; index++) await new Promise((resolve) => setImmediate(resolve));
};

/** Records each round trip (one append's name, or several joined by +) and holds it until finished. */
const store = (overrides: Partial<GroupCommitOptions<Append, string>> = {}) => {
  const trips: Array<{ names: string; finish: (answers?: Array<string | Error>) => void; fail: (error: Error) => void }> = [];
  const trip = <T>(names: string, answer: (answers?: Array<string | Error>) => T) => {
    const round = deferred<T>();
    trips.push({ names, finish: (answers) => round.resolve(answer(answers)), fail: round.reject });
    return round.promise;
  };
  const append = groupCommit<Append, string>({
    maxInFlight: 1,
    maxItems: 10,
    maxChars: 1_000,
    sizeOf: (item) => item.size ?? 1,
    one: (item) => trip(item.name, () => `${item.name} stored alone`),
    many: (items) => trip(items.map((item) => item.name).join('+'), (answers) => answers ?? items.map((item) => `${item.name} stored together`)),
    ...overrides,
  });
  return { append, trips };
};

describe('group commit', () => {
  it('sends a lone append at once, alone', async () => {
    const { append, trips } = store();

    const stored = append({ name: 'a' });

    expect(trips.map((trip) => trip.names)).toEqual(['a']);
    trips[0]?.finish();
    await expect(stored).resolves.toBe('a stored alone');
  });

  it('sends the appends that arrived while a round trip was in flight together in the next, in arrival order', async () => {
    const { append, trips } = store();
    const first = append({ name: 'a' });
    const waiting = [append({ name: 'b' }), append({ name: 'c' }), append({ name: 'd' })];
    expect(trips.map((trip) => trip.names)).toEqual(['a']);

    trips[0]?.finish();
    await first;
    await turn();

    expect(trips.map((trip) => trip.names)).toEqual(['a', 'b+c+d']);
    trips[1]?.finish();
    await expect(Promise.all(waiting)).resolves.toEqual(['b stored together', 'c stored together', 'd stored together']);
  });

  it('sends the appends of the writers a round trip answered together, though they come back through a few awaits', async () => {
    const { append, trips } = store();
    const first = append({ name: 'a' });
    // A writer answered goes through its callers' awaits (the store's, its own) before it appends again.
    const writer = (name: string, next: string) =>
      append({ name }).then(async () => {
        for (let hop = 0; hop < 5; hop++) await Promise.resolve();
        return append({ name: next });
      });
    const writers = [writer('b', 'd'), writer('c', 'e')];
    trips[0]?.finish();
    await first;
    await turn();
    expect(trips.map((trip) => trip.names)).toEqual(['a', 'b+c']);

    trips[1]?.finish();
    await turn();

    expect(trips.map((trip) => trip.names)).toEqual(['a', 'b+c', 'd+e']);
    trips[2]?.finish();
    await expect(Promise.all(writers)).resolves.toEqual(['d stored together', 'e stored together']);
  });

  it('fails only the append whose answer is an error, and answers the others', async () => {
    const { append, trips } = store();
    const first = append({ name: 'a' });
    const answers = Promise.allSettled([append({ name: 'b' }), append({ name: 'c' })]);
    trips[0]?.finish();
    await first;
    await turn();

    trips[1]?.finish([new Error('b conflicts'), 'c stored']);

    expect(await answers).toEqual([
      { status: 'rejected', reason: new Error('b conflicts') },
      { status: 'fulfilled', value: 'c stored' },
    ]);
  });

  it('tries each append alone, in arrival order, when the shared round trip fails as a whole', async () => {
    const { append, trips } = store();
    const first = append({ name: 'a' });
    const answers = Promise.allSettled([append({ name: 'b' }), append({ name: 'c' })]);
    trips[0]?.finish();
    await first;
    await turn();

    trips[1]?.fail(new Error('unique violation: another process took a revision'));
    await turn();
    expect(trips.map((trip) => trip.names)).toEqual(['a', 'b+c', 'b']); // one at a time
    trips[2]?.fail(new Error('b conflicts'));
    await turn();
    expect(trips.map((trip) => trip.names)).toEqual(['a', 'b+c', 'b', 'c']);
    trips[3]?.finish();

    expect(await answers).toEqual([
      { status: 'rejected', reason: new Error('b conflicts') },
      { status: 'fulfilled', value: 'c stored alone' },
    ]);
  });

  it('keeps at most maxInFlight round trips going', async () => {
    const { append, trips } = store({ maxInFlight: 2 });

    const appends = ['a', 'b', 'c', 'd'].map((name) => append({ name }));

    expect(trips.map((trip) => trip.names)).toEqual(['a', 'b']);
    trips[0]?.finish();
    await turn();
    expect(trips.map((trip) => trip.names)).toEqual(['a', 'b', 'c+d']);
    trips[1]?.finish();
    trips[2]?.finish();
    await Promise.all(appends);
  });

  it('holds a round trip to maxItems appends and maxChars characters; a larger append goes alone', async () => {
    const { append, trips } = store({ maxItems: 2, maxChars: 10 });
    const first = append({ name: 'a' });
    const waiting = [
      append({ name: 'b' }),
      append({ name: 'c' }),
      append({ name: 'd', size: 6 }),
      append({ name: 'e', size: 6 }),
      append({ name: 'big', size: 50 }),
    ];

    for (let index = 0; index < 5; index++) {
      trips[index]?.finish();
      await turn();
    }

    expect(trips.map((trip) => trip.names)).toEqual(['a', 'b+c', 'd', 'e', 'big']);
    await Promise.all([first, ...waiting]);
  });
});
