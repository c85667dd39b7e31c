import { setTimeout as sleep } from 'node:timers/promises';
import { checkpointSaver } from './checkpoint-saver';

describe('an embedded consumer saving its checkpoint', () => {
  const recorder = () => {
    const saved: string[] = [];
    const errors: unknown[] = [];
    return { saved, errors, save: async (checkpoint: string) => void saved.push(checkpoint), onError: (error: unknown) => void errors.push(error) };
  };

  it('saves a burst of delivered events once, the last of them, after the delay', async () => {
    const { saved, errors, save, onError } = recorder();
    const saver = checkpointSaver(save, onError, 20);
    for (const checkpoint of ['1:1', '1:2', '1:3']) saver.advance(checkpoint);
    expect(saved).toEqual([]);
    await sleep(60);
    expect(saved).toEqual(['1:3']);
    saver.advance('1:4');
    await sleep(60);
    expect(saved).toEqual(['1:3', '1:4']);
    expect(errors).toEqual([]);
  });

  it('saves at once what is pending when flushed, and nothing more afterwards', async () => {
    const { saved, save, onError } = recorder();
    const saver = checkpointSaver(save, onError, 1_000);
    saver.advance('2:7');
    await saver.flush();
    expect(saved).toEqual(['2:7']);
    await saver.flush();
    await sleep(20);
    expect(saved).toEqual(['2:7']);
  });

  it('saves one at a time, in the order the events were done with', async () => {
    const saved: string[] = [];
    let inFlight = 0;
    let most = 0;
    const slowSave = async (checkpoint: string) => {
      most = Math.max(most, ++inFlight);
      await sleep(15);
      saved.push(checkpoint);
      inFlight--;
    };
    const saver = checkpointSaver(slowSave, () => undefined, 1);
    saver.advance('3:1');
    await sleep(5); // the first save is under way
    saver.advance('3:2');
    await sleep(5);
    await saver.flush();
    expect(saved).toEqual(['3:1', '3:2']);
    expect(most).toBe(1);
  });

  it('hands a failed save to the consumer, which fails', async () => {
    const errors: unknown[] = [];
    const saver = checkpointSaver(
      async () => {
        throw new Error('database gone');
      },
      (error) => void errors.push(error),
      5,
    );
    saver.advance('4:1');
    await sleep(30);
    expect(errors).toEqual([new Error('database gone')]);
    await expect(saver.flush()).rejects.toThrow('database gone');
  });
});
