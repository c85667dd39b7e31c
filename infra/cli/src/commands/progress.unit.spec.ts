import { PassThrough } from 'node:stream';
import { progressLine, startProgress } from './progress';

describe('progress', () => {
  it('says events, the rate, and the ETA when the total is known', () => {
    expect(progressLine(500, 2000)).toBe('events 500, 250/s');
    expect(progressLine(500, 2000, 1500)).toBe('events 500/1500, 250/s, ETA 4.0 s');
  });

  it('writes plain lines where stderr is no terminal, and a last one when stopped', () => {
    const stream = new PassThrough() as PassThrough & NodeJS.WriteStream;
    const written: string[] = [];
    stream.on('data', (chunk: Buffer) => written.push(chunk.toString()));
    const progress = startProgress('replay orders-view', { stream, everyMs: 0 });
    progress.update(10);
    progress.update(20, 40);
    progress.stop();
    expect(
      written.map((line) =>
        line
          .replace(/\d+\/s/, 'R/s')
          .replace(/ETA .+?(,|\n)/, 'ETA T$1')
          .replace(/done in .+/, 'done in D'),
      ),
    ).toEqual([
      'replay orders-view: events 10, R/s\n',
      'replay orders-view: events 20/40, R/s, ETA T\n',
      'replay orders-view: events 20/40, R/s, ETA T, done in D\n',
    ]);
  });
});
