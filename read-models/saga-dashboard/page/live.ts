// The API's server-sent events (GET /v1/saga-dashboard/live), one stream for the whole page:
// `ready` once the server listens, then `update` with the instances that changed and the
// counts. A view loads its data after `ready` (what changes from then on is sent), and again
// after each later `ready`: the browser reconnects by itself, and what changed while it was
// away was not sent.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { API, type Counts, type InstanceSummary } from './api';

export interface LiveUpdate {
  instances: InstanceSummary[];
  counts: Counts;
  /** More changed than the server reads at once: load the list again. */
  overflow: boolean;
}

export interface LiveStream {
  /** How many times the stream has said `ready`: 0 until it first does. */
  readonly generation: number;
  readonly connected: boolean;
  /** Calls `listener` with every update until the returned function is called. */
  onUpdate(listener: (update: LiveUpdate) => void): () => void;
  /** Calls `listener` when `ready` or the connection changes. */
  onStatus(listener: () => void): () => void;
  close(): void;
}

/** Opens the stream; `closed` is called when the browser gives up on it (e.g. the session ended: 401). */
export const openLiveStream = (closed: () => void): LiveStream => {
  const source = new EventSource(`${API}/live`);
  const updates = new Set<(update: LiveUpdate) => void>();
  const statuses = new Set<() => void>();
  let generation = 0;
  let connected = false;
  const status = () => {
    for (const listener of statuses) listener();
  };
  source.addEventListener('ready', () => {
    generation += 1;
    connected = true;
    status();
  });
  source.addEventListener('update', (event) => {
    const update = JSON.parse((event as MessageEvent<string>).data) as LiveUpdate;
    for (const listener of updates) listener(update);
  });
  source.addEventListener('error', () => {
    connected = false;
    status();
    if (source.readyState === EventSource.CLOSED) closed();
  });
  return {
    get generation() {
      return generation;
    },
    get connected() {
      return connected;
    },
    onUpdate(listener) {
      updates.add(listener);
      return () => void updates.delete(listener);
    },
    onStatus(listener) {
      statuses.add(listener);
      return () => void statuses.delete(listener);
    },
    close() {
      source.close();
      updates.clear();
      statuses.clear();
    },
  };
};

export const LiveContext = createContext<LiveStream | null>(null);

/** The stream's generation and whether it is connected, re-rendering the caller when either changes. */
export const useLiveStatus = (): { generation: number; connected: boolean } => {
  const live = useContext(LiveContext);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!live) return;
    const changed = () => setTick((tick) => tick + 1);
    const stop = live.onStatus(changed);
    // What changed between the render and this subscription.
    changed();
    return stop;
  }, [live]);
  return { generation: live?.generation ?? 0, connected: live?.connected ?? false };
};

/** Calls `listener` with every update while the caller is mounted (the latest `listener` each time). */
export const useLiveUpdates = (listener: (update: LiveUpdate) => void): void => {
  const live = useContext(LiveContext);
  const [current] = useState<{ listener: (update: LiveUpdate) => void }>(() => ({ listener }));
  current.listener = listener;
  useEffect(() => live?.onUpdate((update) => current.listener(update)), [live, current]);
};
