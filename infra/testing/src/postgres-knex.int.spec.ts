import { testScope } from './scope';

const scope = testScope();

describe('PostgreSQL through knex, in this file’s own schema', () => {
  it('writes rows and reads them back', async () => {
    const db = await scope.db();
    await db.schema.createTable('greetings', (table) => {
      table.increments('id');
      table.text('text').notNullable();
      table.jsonb('payload').notNullable();
    });
    await db('greetings').insert([
      { text: 'hello', payload: { lang: 'en' } },
      { text: 'grüß dich', payload: { lang: 'de' } },
    ]);

    const rows = await db('greetings').select('text', 'payload').orderBy('id');
    expect(rows).toEqual([
      { text: 'hello', payload: { lang: 'en' } },
      { text: 'grüß dich', payload: { lang: 'de' } },
    ]);
  });

  it('keeps the table in this file’s schema, not in public', async () => {
    const db = await scope.db();
    const { rows } = await db.raw<{ rows: { table_schema: string }[] }>("select table_schema from information_schema.tables where table_name = 'greetings'");
    expect(rows.map((row) => row.table_schema)).toContain(scope.schema);
    expect(rows.map((row) => row.table_schema)).not.toContain('public');
  });
});
