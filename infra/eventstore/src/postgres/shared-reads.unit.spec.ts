import { sharedReads } from './shared-reads';

describe('reads shared by subscriptions woken together', () => {
  const counting = () => {
    const queries: string[] = [];
    const read = (key: string) => async () => {
      queries.push(key);
      return [key];
    };
    return { queries, read };
  };

  it('serves reads of the same events asked in one turn with one query', async () => {
    const { queries, read } = counting();
    const shared = sharedReads<string[]>();
    const answers = await Promise.all([shared('from 7', read('from 7')), shared('from 7', read('from 7')), shared('from 9', read('from 9'))]);
    expect(answers).toEqual([['from 7'], ['from 7'], ['from 9']]);
    expect(queries).toEqual(['from 7', 'from 9']);
  });

  it('sends a new query for a read asked after the shared one was sent, so it sees what was committed since', async () => {
    const { queries, read } = counting();
    const shared = sharedReads<string[]>();
    let release: () => void = () => undefined;
    const slow = shared('from 7', async () => {
      queries.push('from 7 (slow)');
      await new Promise<void>((resolve) => (release = resolve));
      return ['old'];
    });
    await new Promise((resolve) => setImmediate(resolve)); // the slow query is under way
    const later = shared('from 7', read('from 7'));
    release();
    expect(await slow).toEqual(['old']);
    expect(await later).toEqual(['from 7']);
    expect(queries).toEqual(['from 7 (slow)', 'from 7']);
  });
});
