import { sqlDatabases, testScope, type TestDatabase } from '@ordo/testing';
import { sqlCheckpointStore, type CheckpointStore } from './checkpoints';

// Local mode keeps checkpoints in PostgreSQL through a pg Pool, embedded mode in PGlite.
const scope = testScope();

describe.each(sqlDatabases(scope))('sqlCheckpointStore on %s', (_name, open) => {
  let database: TestDatabase;
  let checkpoints: CheckpointStore;
  beforeAll(async () => {
    database = await open();
    checkpoints = sqlCheckpointStore(database.sql, { schema: database.schema });
    await checkpoints.migrate();
  });
  afterAll(async () => database.close());

  it('moves a checkpoint forward only, ordering it as a pair of numbers', async () => {
    expect(await checkpoints.load('forward')).toBeUndefined();
    expect(await checkpoints.save('forward', '9:5')).toBe(true);
    expect(await checkpoints.save('forward', '9:12')).toBe(true); // 12 after 5, though '12' < '5' as text
    expect(await checkpoints.save('forward', '10:0')).toBe(true);
    expect(await checkpoints.save('forward', '10:0')).toBe(true); // saving the same again is no move back
    expect(await checkpoints.save('forward', '9:99')).toBe(false);
    expect(await checkpoints.save('forward', '18446744073709551615:1')).toBe(true); // past bigint
    expect(await checkpoints.save('forward', '10:1')).toBe(false);
    expect(await checkpoints.load('forward')).toBe('18446744073709551615:1');
  });

  it('refuses a checkpoint no event store gives', async () => {
    await expect(checkpoints.save('odd', 'position-7')).rejects.toThrow("checkpoint 'position-7' of 'odd' is not '<integer>:<integer>'");
    expect(await checkpoints.load('odd')).toBeUndefined();
  });
});
