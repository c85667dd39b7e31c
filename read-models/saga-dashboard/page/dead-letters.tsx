// Every parked key of every consumer (operators only): its first error, how many messages
// wait behind it and for how long, and a redrive through the consumer's own handler, whose
// result (applied, remaining, and the error when it failed again) stays on the page.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, type DeadLetters, type Redriven } from './api';
import { dateTime, span } from './format';

const idOf = (consumer: string, key: string) => `${consumer}\u0000${key}`;

const resultText = (result: Redriven) =>
  `applied ${result.applied}, remaining ${result.remaining}${result.error ? ` (${result.error})` : result.remaining === 0 ? ': nothing is parked under it now' : ''}`;

export const DeadLettersView = () => {
  const [letters, setLetters] = useState<DeadLetters | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [results, setResults] = useState<{ consumer: string; key: string; text: string; ok: boolean }[]>([]);

  const load = async () => {
    setLoading(true);
    try {
      setLetters(await api.deadLetters());
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(), []);

  const redrive = async (consumer: string, key: string) => {
    setBusy(idOf(consumer, key));
    try {
      const result = await api.redrive(consumer, key);
      setResults((shown) => [{ consumer, key, text: resultText(result), ok: result.remaining === 0 }, ...shown]);
    } catch (failure) {
      setResults((shown) => [{ consumer, key, text: `the redrive failed: ${messageOf(failure)}`, ok: false }, ...shown]);
    } finally {
      setBusy(null);
    }
    await load();
  };

  return (
    <main class="dead-letters">
      <div class="title-row">
        <h1>Dead letters</h1>
        <button type="button" onClick={() => void load()} disabled={loading}>
          {loading ? 'Loading…' : 'Reload'}
        </button>
      </div>
      <p class="muted">
        A consumer that cannot handle a message parks it, and every later message of its key, here. Fix the cause, then redrive the key: its messages go through
        the consumer's handler in order.
      </p>
      {error && (
        <p class="problem" role="alert">
          {error}
        </p>
      )}
      {results.length > 0 && (
        <ul class="results" aria-label="Redrive results">
          {results.map((result, index) => (
            <li key={index} class={result.ok ? 'notice' : 'problem'} role="status">
              <strong>{result.consumer}</strong> <span class="mono">{result.key}</span>: {result.text}
            </li>
          ))}
        </ul>
      )}
      {letters && letters.unreachable.length > 0 && (
        <ul class="problem" role="alert">
          {letters.unreachable.map((missing) => (
            <li key={missing.services.join('+')}>
              Could not ask {missing.services.join(', ')}: {missing.error}. Their parked keys are missing below.
            </li>
          ))}
        </ul>
      )}
      {letters && letters.items.length === 0 && <p class="empty">Nothing is parked.</p>}
      {letters && letters.items.length > 0 && (
        <table class="parked">
          <thead>
            <tr>
              <th>Consumer</th>
              <th>Key</th>
              <th>Messages</th>
              <th>First error</th>
              <th>Parked</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {letters.items.map((parked) => (
              <tr key={idOf(parked.consumer, parked.key)} data-consumer={parked.consumer} data-key={parked.key}>
                <td>{parked.consumer}</td>
                <td class="mono">{parked.key}</td>
                <td>{parked.count}</td>
                <td class="error-text">{parked.firstError}</td>
                <td title={dateTime(parked.parkedAt)}>{span(parked.ageSeconds * 1_000)} ago</td>
                <td>
                  <button type="button" disabled={busy !== null} onClick={() => void redrive(parked.consumer, parked.key)}>
                    {busy === idOf(parked.consumer, parked.key) ? 'Redriving…' : 'Redrive'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
};
