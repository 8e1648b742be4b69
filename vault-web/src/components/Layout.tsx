/** The frame of every signed-in screen: top navigation like Jira's, breadcrumbs, the page header and title. */
import { useEffect, useRef, type ReactNode } from 'react';
import type { Me } from '../api/vault.js';
import { Link, useRouter } from '../lib/router.js';
import { Button } from './Button.js';

export function Logo({ className }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="6" fill="var(--ds-background-brand-bold, #0c66e4)" />
      <path d="M8 10h16v3H8zm0 5h16v3H8zm0 5h10v3H8z" fill="var(--ds-text-inverse, #fff)" />
    </svg>
  );
}

const NAV = [
  { to: '/', label: 'Schemas', matches: (path: string) => path === '/' || path.startsWith('/schemas/') },
  { to: '/settings', label: 'Settings', matches: (path: string) => path.startsWith('/settings') },
];

export function AppShell({
  me,
  onSignOut,
  signingOut,
  children,
}: {
  me: Me;
  onSignOut: () => void;
  signingOut: boolean;
  children: ReactNode;
}) {
  const { location } = useRouter();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-nav">
        <Link to="/" className="app-nav__product">
          <Logo className="app-nav__logo" />
          <span>Assets Backup Vault</span>
        </Link>
        <nav aria-label="Main">
          <ul className="app-nav__links">
            {NAV.map((item) => (
              <li key={item.to}>
                <Link
                  to={item.to}
                  className="app-nav__link"
                  aria-current={item.matches(location.pathname) ? 'page' : undefined}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="app-nav__user">
          <span>
            <span className="visually-hidden">Signed in as </span>
            {me.email} · {me.site.siteUrl}
          </span>
          <Button onClick={onSignOut} isLoading={signingOut}>
            Sign out
          </Button>
        </div>
      </header>
      <main id="main" className="page">
        {children}
      </main>
    </>
  );
}

export interface Crumb {
  label: string;
  to?: string;
}

/**
 * Title, breadcrumbs and actions of a screen. Sets the document title and, after an in-app navigation, moves
 * focus to the heading so screen reader and keyboard users start at the new content.
 */
export function PageHeader({
  title,
  crumbs = [],
  description,
  actions,
}: {
  title: string;
  crumbs?: Crumb[];
  description?: ReactNode;
  actions?: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { navigations } = useRouter();
  useEffect(() => {
    document.title = `${title} · Assets Backup Vault`;
  }, [title]);
  useEffect(() => {
    if (navigations > 0) heading.current?.focus();
    // only when the screen appears, not on its later renders
  }, []);
  return (
    <div className="page-header">
      {crumbs.length > 0 ? (
        <nav className="breadcrumbs" aria-label="Breadcrumbs">
          <ol>
            {crumbs.map((c) => (
              <li key={c.label}>{c.to ? <Link to={c.to}>{c.label}</Link> : c.label}</li>
            ))}
          </ol>
        </nav>
      ) : null}
      <div className="page-header__row">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div className="page-header__actions">{actions}</div> : null}
      </div>
      {description ? <div className="subtle">{description}</div> : null}
    </div>
  );
}
