// The types of prepared.cjs, for the specs that load it from TypeScript.
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';

export declare const preparedQueries: (
  db: PGlite,
  options?: { capacity?: number },
) => <Row = Record<string, unknown>>(text: string, params?: unknown[], transaction?: Transaction) => Promise<Results<Row>>;
