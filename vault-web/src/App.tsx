/**
 * The app: who is signed in decides between the sign-in page and the screens; the URL decides the screen.
 * Phase 2 adds its restore routes to ROUTES.
 */
import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { setUnauthorizedHandler } from './api/http.js';
import { vault, type Me } from './api/vault.js';
import { ErrorState, Loading, EmptyState } from './components/Feedback.js';
import { AppShell, PageHeader } from './components/Layout.js';
import { matchPath, RouterProvider, useRouter, Link } from './lib/router.js';
import { asApiError } from './lib/use-resource.js';
import type { ApiError } from './api/http.js';
import { SchemaPage } from './pages/SchemaPage.js';
import { SchemasPage } from './pages/SchemasPage.js';
import { preloadLoginOptions, SignInPage } from './pages/SignInPage.js';

// Screens reached from the schema page load on first use: the first visit downloads the main page only.
const BrowsePage = lazy(() => import('./pages/BrowsePage.js').then((m) => ({ default: m.BrowsePage })));
const ObjectPage = lazy(() => import('./pages/ObjectPage.js').then((m) => ({ default: m.ObjectPage })));
const DefinitionsPage = lazy(() => import('./pages/DefinitionsPage.js').then((m) => ({ default: m.DefinitionsPage })));
const ComparePage = lazy(() => import('./pages/ComparePage.js').then((m) => ({ default: m.ComparePage })));
const SettingsPage = lazy(() => import('./pages/SettingsPage.js').then((m) => ({ default: m.SettingsPage })));

const ROUTES: { pattern: string; render: (p: Record<string, string>) => ReactNode }[] = [
  { pattern: '/', render: () => <SchemasPage /> },
  { pattern: '/schemas/:schemaId', render: (p) => <SchemaPage key={p.schemaId} schemaId={p.schemaId ?? ''} /> },
  {
    pattern: '/schemas/:schemaId/backups/:backupId',
    render: (p) => <BrowsePage key={p.backupId} schemaId={p.schemaId ?? ''} backupId={p.backupId ?? ''} />,
  },
  {
    pattern: '/schemas/:schemaId/backups/:backupId/objects/:objectId',
    render: (p) => (
      <ObjectPage
        key={p.objectId}
        schemaId={p.schemaId ?? ''}
        backupId={p.backupId ?? ''}
        objectId={p.objectId ?? ''}
      />
    ),
  },
  {
    pattern: '/schemas/:schemaId/backups/:backupId/compare',
    render: (p) => <ComparePage key={p.backupId} schemaId={p.schemaId ?? ''} backupId={p.backupId ?? ''} />,
  },
  {
    pattern: '/schemas/:schemaId/backups/:backupId/definitions',
    render: (p) => <DefinitionsPage key={p.backupId} schemaId={p.schemaId ?? ''} backupId={p.backupId ?? ''} />,
  },
  { pattern: '/settings', render: () => <SettingsPage /> },
];

function Screen() {
  const { location } = useRouter();
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, location.pathname);
    if (params) return <Suspense fallback={<Loading>Loading the screen…</Loading>}>{route.render(params)}</Suspense>;
  }
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title="There is nothing at this address">
        <p>
          <Link to="/">Go to the backed-up schemas</Link>
        </p>
      </EmptyState>
    </>
  );
}

type Session =
  { state: 'loading' } | { state: 'signed-out' } | { state: 'signed-in'; me: Me } | { state: 'error'; error: ApiError };

function Root() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<ApiError | undefined>();
  const { navigate } = useRouter();

  const load = useCallback(() => {
    setSession({ state: 'loading' });
    void preloadLoginOptions().catch(() => undefined);
    vault.me().then(
      (me) => setSession({ state: 'signed-in', me }),
      (err: unknown) => {
        const error = asApiError(err);
        setSession(error.status === 401 ? { state: 'signed-out' } : { state: 'error', error });
      },
    );
  }, []);
  useEffect(() => {
    load();
    setUnauthorizedHandler(() => setSession({ state: 'signed-out' }));
    return () => setUnauthorizedHandler(undefined);
  }, [load]);

  const signOut = async () => {
    setSigningOut(true);
    setSignOutError(undefined);
    try {
      await vault.logout();
      navigate('/', { replace: true });
      setSession({ state: 'signed-out' });
    } catch (err) {
      setSignOutError(asApiError(err));
    } finally {
      setSigningOut(false);
    }
  };

  switch (session.state) {
    case 'loading':
      return (
        <main className="page">
          <Loading>Opening the vault…</Loading>
        </main>
      );
    case 'error':
      return (
        <main className="page">
          <ErrorState error={session.error} what="The vault could not be reached" onRetry={load} />
        </main>
      );
    case 'signed-out':
      return <SignInPage />;
    case 'signed-in':
      return (
        <AppShell me={session.me} onSignOut={() => void signOut()} signingOut={signingOut}>
          {signOutError ? <ErrorState error={signOutError} what="You were not signed out" /> : null}
          <Screen />
        </AppShell>
      );
  }
}

export function App() {
  return (
    <RouterProvider>
      <Root />
    </RouterProvider>
  );
}
