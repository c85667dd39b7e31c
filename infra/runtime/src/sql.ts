/**
 * The little of a SQL client the platform's own tables need (idempotency keys,
 * checkpoints, inboxes, dead letters). A `pg` Pool and a PGlite database both satisfy
 * it, so one store serves local mode and embedded mode.
 */
export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** A schema name safe to splice into SQL: identifiers cannot be bound as parameters. */
export const quoteIdentifier = (name: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`'${name}' is not a valid SQL identifier`);
  return `"${name}"`;
};
