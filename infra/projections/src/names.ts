import { quoteIdentifier } from '@ordo/runtime';
import type { Projection } from './definition';

// Where a projection's tables live (docs/projections.md, "Tables"): the read model's own
// schema; a rebuild fills a shadow set beside the live one and swaps the two.

export const SHADOW_SUFFIX = '__shadow';
const RETIRED_SUFFIX = '__retired';

export type TableSet = 'live' | 'shadow' | 'retired';

const suffixOf = (set: TableSet) => (set === 'live' ? '' : set === 'shadow' ? SHADOW_SUFFIX : RETIRED_SUFFIX);

/** The physical names of one of a projection's table sets. */
export interface ProjectionNames {
  schema: string;
  set: TableSet;
  /** `orders` → `orders__shadow` in the shadow set: unqualified, as DDL and `on conflict` want it. */
  physical(table: string): string;
  /** `"<schema>"."orders__shadow"`, ready to splice into SQL. */
  qualified(table: string): string;
  /** The checkpoint table's unqualified name: `orders_view_checkpoints` for `orders-view`. */
  checkpoints: string;
  /** `"<schema>".ordo_projections`: which version the live tables hold (one registry per schema). */
  registry: string;
}

export const projectionNames = (projection: Pick<Projection, 'name'>, schema: string, set: TableSet = 'live'): ProjectionNames => {
  const physical = (table: string) => {
    const name = `${table}${suffixOf(set)}`;
    quoteIdentifier(name); // throws on a name that cannot be an identifier
    return name;
  };
  const quotedSchema = quoteIdentifier(schema);
  return {
    schema,
    set,
    physical,
    qualified: (table) => `${quotedSchema}.${quoteIdentifier(physical(table))}`,
    checkpoints: physical(`${projection.name.replace(/-/g, '_')}_checkpoints`),
    registry: `${quotedSchema}.ordo_projections`,
  };
};

/** The consumer group (and embedded checkpoint name) of a projection's version: a new version starts from the beginning. */
export const projectionGroupId = (projection: Pick<Projection, 'name' | 'version'>): string => `${projection.name}-v${projection.version}`;
