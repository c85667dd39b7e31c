// The page's frame: the login, the header (who is logged in, with which role, and the way
// out), the live stream every view shares, and the hash router.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, isOperator, messageOf, roleOf, useSession, type Session } from './api';
import { DeadLettersView } from './dead-letters';
import { InstanceView } from './instance';
import { ListView } from './list';
import { LiveContext, openLiveStream, useLiveStatus, type LiveStream } from './live';
import { parseRoute, type Route } from './route';

/**
 * Set while this browser has a session, so that a first visit does not ask for one and get
 * a 401 (which the browser's console reports as an error). The session itself is the
 * HttpOnly cookie, which no script here can read.
 */
const SIGNED_IN = 'ordo.saga-dashboard.signed-in';

const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
};

const LoginView = ({ onLoggedIn }: { onLoggedIn: (session: Session) => void }) => {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await api.logIn(token.trim()));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="panel" onSubmit={submit}>
        <h1>Saga dashboard</h1>
        <p class="muted">Log in with a token of this shop: a viewer's reads, an operator's also acts and sees dead letters.</p>
        <label>
          Token
          <input type="password" name="token" autoComplete="off" required value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
          Log in
        </button>
        {error && (
          <p class="problem" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
};

const LiveBadge = () => {
  const { connected } = useLiveStatus();
  return (
    <span class={connected ? 'live on' : 'live'} title={connected ? 'changes arrive as they happen' : 'not connected: reconnecting'}>
      {connected ? 'live' : 'offline'}
    </span>
  );
};

const Header = ({ session, route, onLogOut }: { session: Session; route: Route; onLogOut: () => void }) => (
  <header class="top">
    <a class="brand" href="#/">
      Ordo · Saga dashboard
    </a>
    <nav>
      <a href="#/" class={route.name === 'dead-letters' ? '' : 'current'}>
        Instances
      </a>
      {isOperator(session) && (
        <a href="#/dead-letters" class={route.name === 'dead-letters' ? 'current' : ''}>
          Dead letters
        </a>
      )}
    </nav>
    <LiveBadge />
    <span class="who">
      <span class="subject">{session.subject}</span> <span class="role">{roleOf(session)}</span>
    </span>
    <button type="button" onClick={onLogOut}>
      Log out
    </button>
  </header>
);

const View = ({ route, session }: { route: Route; session: Session }) => {
  switch (route.name) {
    case 'instance':
      return <InstanceView key={route.sagaId} sagaId={route.sagaId} session={session} />;
    case 'dead-letters':
      return isOperator(session) ? (
        <DeadLettersView />
      ) : (
        <main>
          <p class="panel">Dead letters are shown to operators.</p>
        </main>
      );
    default:
      return <ListView filters={route.filters} />;
  }
};

export const App = () => {
  // undefined while the page asks whether it has a session.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();
  const [live, setLive] = useState<LiveStream | null>(null);

  const ended = useCallback(() => {
    window.localStorage.removeItem(SIGNED_IN);
    setSession(null);
  }, []);
  useSession(session ?? null, ended);

  useEffect(() => {
    if (window.localStorage.getItem(SIGNED_IN) === '1') api.currentSession().then(setSession, ended);
    else setSession(null);
  }, [ended]);

  // One stream while logged in, opened before any view loads its data.
  useEffect(() => {
    if (!session) return;
    let timer: number | undefined;
    const stream = openLiveStream(() => {
      // The browser gave up on it (not a dropped connection, which it retries): the session may have ended.
      timer = window.setTimeout(() => api.currentSession().then(setSession, ended), 3_000);
    });
    setLive(stream);
    return () => {
      window.clearTimeout(timer);
      stream.close();
      setLive(null);
    };
  }, [session, ended]);

  const loggedIn = (next: Session) => {
    window.localStorage.setItem(SIGNED_IN, '1');
    setSession(next);
  };
  const logOut = () => {
    api.logOut().then(ended, ended);
  };

  if (session === undefined) return <main class="muted">Loading…</main>;
  if (session === null) return <LoginView onLoggedIn={loggedIn} />;
  return (
    <LiveContext.Provider value={live}>
      <Header session={session} route={route} onLogOut={logOut} />
      <View route={route} session={session} />
    </LiveContext.Provider>
  );
};
