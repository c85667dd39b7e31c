// `ordo status`: which of the shop's servers answer, each one's relay backlog and consumer
// lag (read from its /metrics), and the sagas by state (from the saga dashboard's counts).
import { Command } from 'commander';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { CliFailure, describe } from './failure';
import { columns } from './columns';
import { timeoutOption } from './options';
import { endpointsOf, operatorToken, type Endpoint, type Target } from './target';

export interface StatusIo {
  target: () => Target;
  out: (line: string) => void;
}

/** What one server says of itself; a figure it does not publish is undefined. */
export interface ServerStatus {
  name: string;
  url: string;
  state: 'ready' | 'not ready' | 'down';
  /** Events its relays read and Kafka has not acknowledged yet. */
  relayWaiting?: number;
  /** Age of the oldest of them. */
  relayLagMs?: number;
  /** Messages its consumer groups have not consumed yet, over every partition. */
  consumerLag?: number;
  detail?: string;
}

type Families = ReturnType<typeof parsePrometheusTextFormat>;

const sumOf = (families: Families, name: string, pick: (values: number[]) => number): number | undefined => {
  const family = families.find((candidate) => candidate.name === name);
  if (!family) return undefined;
  return pick(family.metrics.map((sample) => Number(sample.value ?? 0)));
};
const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
const largest = (values: number[]) => Math.max(0, ...values);

const askServer = async (endpoint: Endpoint, token: string, timeoutMs: number): Promise<ServerStatus> => {
  const get = (path: string) => fetch(`${endpoint.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  let ready: Response;
  try {
    ready = await get('/health/ready');
  } catch (error) {
    return { ...endpoint, state: 'down', detail: describe(error) };
  }
  const status: ServerStatus = { ...endpoint, state: ready.ok ? 'ready' : 'not ready' };
  const metrics = await get('/metrics').catch(() => undefined);
  if (!metrics?.ok) return { ...status, detail: `its /metrics answered ${metrics?.status ?? 'nothing'}` };
  const families = parsePrometheusTextFormat(await metrics.text());
  const relayWaiting = sumOf(families, 'ordo_relay_waiting_events', total);
  const relayLagMs = sumOf(families, 'ordo_relay_lag_milliseconds', largest);
  const consumerLag = sumOf(families, 'ordo_consumer_lag', total);
  return {
    ...status,
    ...(relayWaiting === undefined ? {} : { relayWaiting }),
    ...(relayLagMs === undefined ? {} : { relayLagMs }),
    ...(consumerLag === undefined ? {} : { consumerLag }),
  };
};

/** The sagas by state, from the first server that serves the dashboard's counts. */
const sagaCounts = async (endpoints: Endpoint[], token: string, timeoutMs: number): Promise<Record<string, number> | undefined> => {
  for (const endpoint of endpoints) {
    const response = await fetch(`${endpoint.url}/v1/saga-dashboard/counts`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    }).catch(() => undefined);
    if (response?.ok) return (await response.json()) as Record<string, number>;
  }
  return undefined;
};

const figure = (value: number | undefined, unit = '') => (value === undefined ? '-' : `${value}${unit}`);

export const statusCommand = (io: StatusIo): Command =>
  new Command('status')
    .description("which servers are up, each one's relay backlog and consumer lag, and the sagas by state; exits 1 when a server is down")
    .addOption(timeoutOption('how long to wait for each server to answer', 5_000))
    .action(async (options: { timeout: number }) => {
      const target = io.target();
      const token = operatorToken(target);
      const endpoints = endpointsOf(target, { gateway: true, replicas: true });
      const servers = await Promise.all(endpoints.map((endpoint) => askServer(endpoint, token, options.timeout)));
      const rows = servers.map((server) => [
        server.name,
        server.state,
        figure(server.relayWaiting),
        figure(server.relayLagMs, ' ms'),
        figure(server.consumerLag),
        server.detail ? `${server.url} (${server.detail})` : server.url,
      ]);
      for (const line of columns(['SERVER', 'STATE', 'RELAY WAITING', 'RELAY LAG', 'CONSUMER LAG', 'URL'], rows)) io.out(line);
      const counts = await sagaCounts(endpoints, token, options.timeout);
      io.out(
        counts
          ? `sagas by state: ${Object.entries(counts)
              .map(([state, count]) => `${state} ${count}`)
              .join(', ')}`
          : 'sagas by state: unknown (no server answered the saga dashboard counts)',
      );
      const down = servers.filter((server) => server.state !== 'ready');
      if (down.length > 0) throw new CliFailure(`${down.length} of ${servers.length} server(s) not ready: ${down.map((server) => server.name).join(', ')}`);
    });
