// The instances: the counts per state (each a filter), the throughput of the last hour, the
// filters, and one page of instances, the last changed first, kept up to date by the live
// stream: a row that changes is patched in place, an instance new to the first page is put
// on top when it matches the filters, the counts follow, and an overflow reloads the page.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, STATES, type Counts, type InstancePage, type InstanceState } from './api';
import { age, dateTime, isoFromLocalInput, localInputFromIso } from './format';
import { useLiveStatus, useLiveUpdates } from './live';
import { instanceHash, listHash, matchesFilters, type ListFilters } from './route';
import { ThroughputStrip } from './throughput';

const PAGE_SIZE = 25;

/** Re-renders the caller every `ms`, for ages that grow. */
export const useNow = (ms: number): number => {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
};

export const StateBadge = ({ state }: { state: string }) => <span class={`state state-${state}`}>{state}</span>;

const CountsBar = ({ counts, filters }: { counts: Counts | null; filters: ListFilters }) => {
  const total = counts ? STATES.reduce((sum, state) => sum + counts[state], 0) : null;
  const withState = (state: InstanceState | undefined) => listHash({ ...filters, state });
  return (
    <nav class="counts" aria-label="Instances per state">
      <a href={withState(undefined)} class={filters.state === undefined ? 'count current' : 'count'}>
        <span class="count-name">all</span> <span class="count-value">{total ?? '…'}</span>
      </a>
      {STATES.map((state) => (
        <a
          key={state}
          href={filters.state === state ? withState(undefined) : withState(state)}
          class={`count count-${state}${filters.state === state ? ' current' : ''}`}
        >
          <span class="count-name">{state}</span> <span class="count-value">{counts ? counts[state] : '…'}</span>
        </a>
      ))}
    </nav>
  );
};

const FilterForm = ({ filters, sagaTypes }: { filters: ListFilters; sagaTypes: string[] }) => {
  const [state, setState] = useState(filters.state ?? '');
  const [saga, setSaga] = useState(filters.saga ?? '');
  const [version, setVersion] = useState(filters.version === undefined ? '' : String(filters.version));
  const [from, setFrom] = useState(localInputFromIso(filters.changedFrom));
  const [to, setTo] = useState(localInputFromIso(filters.changedTo));
  const [key, setKey] = useState(filters.key ?? '');
  // The hash changed (a count clicked, back or forward): the form shows the filters in force.
  useEffect(() => {
    setState(filters.state ?? '');
    setSaga(filters.saga ?? '');
    setVersion(filters.version === undefined ? '' : String(filters.version));
    setFrom(localInputFromIso(filters.changedFrom));
    setTo(localInputFromIso(filters.changedTo));
    setKey(filters.key ?? '');
  }, [filters]);
  const apply = (event: Event) => {
    event.preventDefault();
    const next: ListFilters = {};
    if (state) next.state = state as InstanceState;
    if (saga.trim()) next.saga = saga.trim();
    if (/^\d+$/.test(version) && Number(version) > 0) next.version = Number(version);
    const changedFrom = isoFromLocalInput(from);
    const changedTo = isoFromLocalInput(to);
    if (changedFrom) next.changedFrom = changedFrom;
    if (changedTo) next.changedTo = changedTo;
    if (key.trim()) next.key = key.trim();
    window.location.hash = listHash(next);
  };
  return (
    <form class="filters" onSubmit={apply} aria-label="Filters">
      <label>
        State
        <select name="state" value={state} onChange={(event) => setState(event.currentTarget.value)}>
          <option value="">any</option>
          {STATES.map((each) => (
            <option key={each} value={each}>
              {each}
            </option>
          ))}
        </select>
      </label>
      <label>
        Saga
        <input name="saga" list="saga-types" value={saga} placeholder="any" onInput={(event) => setSaga(event.currentTarget.value)} />
        <datalist id="saga-types">
          {sagaTypes.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </label>
      <label class="narrow">
        Version
        <input name="version" type="number" min="1" value={version} placeholder="any" onInput={(event) => setVersion(event.currentTarget.value)} />
      </label>
      <label>
        Changed from
        <input name="changedFrom" type="datetime-local" value={from} onInput={(event) => setFrom(event.currentTarget.value)} />
      </label>
      <label>
        Changed before
        <input name="changedTo" type="datetime-local" value={to} onInput={(event) => setTo(event.currentTarget.value)} />
      </label>
      <label class="wide">
        Key starts with
        <input name="key" value={key} placeholder="an order id" onInput={(event) => setKey(event.currentTarget.value)} />
      </label>
      <div class="buttons">
        <button type="submit" class="primary">
          Filter
        </button>
        <a class="button" href="#/">
          Clear
        </a>
      </div>
    </form>
  );
};

export const ListView = ({ filters }: { filters: ListFilters }) => {
  const { generation } = useLiveStatus();
  const [page, setPage] = useState<InstancePage | null>(null);
  const [counts, setCounts] = useState<Counts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  /** The `after` of each page shown so far: none on the first. */
  const [cursors, setCursors] = useState<string[]>([]);
  const [reloads, setReloads] = useState(0);
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
  const [sagaTypes, setSagaTypes] = useState<string[]>([]);
  const now = useNow(10_000);
  const filtersKey = listHash(filters);
  const after = cursors.at(-1);

  // Other filters: back to the first page.
  useEffect(() => setCursors([]), [filtersKey]);

  // Loaded once the live stream listens (nothing that changes after is missed), and again on every reconnection.
  useEffect(() => {
    if (generation === 0) return;
    let current = true;
    setLoading(true);
    Promise.all([api.instances({ ...filters, limit: PAGE_SIZE, after }), api.counts()])
      .then(([loaded, loadedCounts]) => {
        if (!current) return;
        setPage(loaded);
        setCounts(loadedCounts);
        setError(null);
        setSagaTypes((known) => [...new Set([...known, ...loaded.items.map((item) => item.saga)])].sort());
      })
      .catch((failure: unknown) => current && setError(messageOf(failure)))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
    // filtersKey stands for filters.
  }, [generation, filtersKey, after, reloads]);

  useLiveUpdates((update) => {
    setCounts(update.counts);
    if (update.overflow) return setReloads((count) => count + 1);
    const byId = new Map(update.instances.map((instance) => [instance.sagaId, instance]));
    setPage((shown) => {
      if (!shown) return shown;
      const known = new Set(shown.items.map((item) => item.sagaId));
      const patched = shown.items.map((item) => byId.get(item.sagaId) ?? item);
      const fresh =
        after === undefined
          ? update.instances
              .filter((instance) => !known.has(instance.sagaId) && matchesFilters(instance, filters))
              .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
          : [];
      return { ...shown, items: [...fresh, ...patched] };
    });
    setChanged(new Set(byId.keys()));
  });

  const pageNumber = cursors.length + 1;
  const rows = page?.items ?? [];
  return (
    <main>
      <CountsBar counts={counts} filters={filters} />
      <ThroughputStrip />
      <FilterForm filters={filters} sagaTypes={sagaTypes} />
      {error && (
        <p class="problem" role="alert">
          {error}
        </p>
      )}
      <table class="instances">
        <thead>
          <tr>
            <th>Saga</th>
            <th>Key</th>
            <th>State</th>
            <th>Current step</th>
            <th>Age</th>
            <th>Last change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((item) => (
            <tr key={item.sagaId} data-saga-id={item.sagaId} class={changed.has(item.sagaId) ? 'changed' : ''}>
              <td>
                {item.saga} <span class="muted">v{item.version}</span>
              </td>
              <td class="mono">
                <a href={instanceHash(item.sagaId)}>{item.key}</a>
              </td>
              <td>
                <StateBadge state={item.state} />
              </td>
              <td>{item.currentStep ?? <span class="muted">—</span>}</td>
              <td title={`started ${dateTime(item.startedAt)}`}>{age(item.startedAt, now)}</td>
              <td title={dateTime(item.updatedAt)}>{age(item.updatedAt, now)} ago</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page && rows.length === 0 && <p class="empty">No instance matches these filters.</p>}
      <div class="pager">
        {cursors.length > 0 && (
          <button type="button" onClick={() => setCursors([])}>
            Back to the first page
          </button>
        )}
        <span class="muted">
          Page {pageNumber}
          {loading ? ' · loading…' : ''}
        </span>
        <button type="button" disabled={!page?.next} onClick={() => page?.next && setCursors([...cursors, page.next])}>
          Next page
        </button>
      </div>
    </main>
  );
};
