import { jest } from '@jest/globals';
import { backgroundCommits } from './background-commits';

/** A commit that records its name when it runs, and answers when the test says so. */
const recorder = () => {
  const made: string[] = [];
  const answers: (() => void)[] = [];
  const commit = (name: string) => () =>
    new Promise<void>((resolve) => {
      made.push(name);
      answers.push(resolve);
    });
  const answerAll = () => answers.splice(0).forEach((answer) => answer());
  return { made, commit, answerAll };
};

describe('background commits', () => {
  afterEach(() => jest.useRealTimers());

  it('tell a failed commit and go on with the next', async () => {
    const failures: unknown[] = [];
    const commits = backgroundCommits((error) => failures.push(error));
    const lost = new Error('not the coordinator');
    commits.request(async () => Promise.reject(lost));
    await commits.settled();
    let committed = false;
    commits.request(async () => {
      committed = true;
    });
    await commits.settled();
    expect(failures).toEqual([lost]);
    expect(committed).toBe(true);
  });

  it('tell a commit that throws at once as a failed one, from a timer too', async () => {
    jest.useFakeTimers();
    const failures: unknown[] = [];
    const commits = backgroundCommits((error) => failures.push(error), { everyMs: 200 });
    const broken = new Error('no offsets to read');
    const throwing = () => {
      throw broken;
    };
    commits.request(throwing);
    commits.request(throwing);
    await jest.advanceTimersByTimeAsync(200);
    expect(failures).toEqual([broken, broken]);
  });

  it('commit the first request at once, then at most once a period, with the latest request', async () => {
    jest.useFakeTimers();
    const { made, commit, answerAll } = recorder();
    const commits = backgroundCommits(() => undefined, { everyMs: 200 });
    commits.request(commit('batch 1'));
    expect(made).toEqual(['batch 1']);
    commits.request(commit('batch 2'));
    commits.request(commit('batch 3'));
    answerAll();
    await jest.advanceTimersByTimeAsync(199);
    expect(made).toEqual(['batch 1']);
    await jest.advanceTimersByTimeAsync(1);
    expect(made).toEqual(['batch 1', 'batch 3']);
    answerAll();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(made).toEqual(['batch 1', 'batch 3']);
  });

  it('make a waiting commit at once when settled (a consumer stopping leaves nothing resolved uncommitted)', async () => {
    jest.useFakeTimers();
    const { made, commit, answerAll } = recorder();
    const commits = backgroundCommits(() => undefined, { everyMs: 200 });
    commits.request(commit('batch 1'));
    commits.request(commit('batch 2'));
    const settled = commits.settled();
    answerAll();
    await jest.advanceTimersByTimeAsync(0);
    expect(made).toEqual(['batch 1', 'batch 2']);
    answerAll();
    await settled;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(made).toEqual(['batch 1', 'batch 2']);
  });

  it('commit now after the commit under way, in place of the one waiting for its time', async () => {
    jest.useFakeTimers();
    const { made, commit, answerAll } = recorder();
    const commits = backgroundCommits(() => undefined, { everyMs: 200 });
    commits.request(commit('batch 1'));
    commits.request(commit('batch 2'));
    const now = commits.now(commit('rebalance'));
    await jest.advanceTimersByTimeAsync(0);
    expect(made).toEqual(['batch 1']);
    answerAll();
    await jest.advanceTimersByTimeAsync(0);
    expect(made).toEqual(['batch 1', 'rebalance']);
    answerAll();
    await now;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(made).toEqual(['batch 1', 'rebalance']);
  });
});
