// The page's places, in the URL's hash so that the server serves one page:
// `#/` (the list, its filters as a query: `#/?state=stuck&key=6f1c`), `#/instances/<saga id>`
// and `#/dead-letters`.
import { STATES, type InstanceState, type InstanceSummary } from './api';

/** The list's filters, as the API's query names them. */
export interface ListFilters {
  state?: InstanceState;
  saga?: string;
  version?: number;
  changedFrom?: string;
  changedTo?: string;
  key?: string;
}

export type Route = { name: 'list'; filters: ListFilters } | { name: 'instance'; sagaId: string } | { name: 'dead-letters' };

const FILTER_NAMES = ['state', 'saga', 'version', 'changedFrom', 'changedTo', 'key'] as const;

export const filtersOf = (search: URLSearchParams): ListFilters => {
  const filters: ListFilters = {};
  const state = search.get('state');
  if (state && (STATES as readonly string[]).includes(state)) filters.state = state as InstanceState;
  const version = Number(search.get('version'));
  if (Number.isInteger(version) && version > 0) filters.version = version;
  for (const name of ['saga', 'changedFrom', 'changedTo', 'key'] as const) {
    const value = search.get(name)?.trim();
    if (value) filters[name] = value;
  }
  return filters;
};

export const parseRoute = (hash: string): Route => {
  const path = hash.replace(/^#/, '');
  const instance = /^\/instances\/(.+)$/.exec(path);
  if (instance?.[1]) return { name: 'instance', sagaId: decodeURIComponent(instance[1]) };
  if (path === '/dead-letters') return { name: 'dead-letters' };
  const [, search = ''] = path.split('?');
  return { name: 'list', filters: filtersOf(new URLSearchParams(search)) };
};

export const listHash = (filters: ListFilters): string => {
  const search = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `#/?${text}` : '#/';
};

export const instanceHash = (sagaId: string): string => `#/instances/${encodeURIComponent(sagaId)}`;

/** Whether an instance belongs in the list the filters select, as the API would answer it. */
export const matchesFilters = (instance: InstanceSummary, filters: ListFilters): boolean =>
  (filters.state === undefined || instance.state === filters.state) &&
  (filters.saga === undefined || instance.saga === filters.saga) &&
  (filters.version === undefined || instance.version === filters.version) &&
  (filters.key === undefined || instance.key.startsWith(filters.key)) &&
  (filters.changedFrom === undefined || Date.parse(instance.updatedAt) >= Date.parse(filters.changedFrom)) &&
  (filters.changedTo === undefined || Date.parse(instance.updatedAt) < Date.parse(filters.changedTo));
