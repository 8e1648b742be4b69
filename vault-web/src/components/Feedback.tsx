/** Status display: lozenges, section messages, loading and error states (text always names the state). */
import type { ReactNode } from 'react';
import type { ApiError } from '../api/http.js';
import { Button, Spinner } from './Button.js';

export type LozengeAppearance = 'default' | 'success' | 'inprogress' | 'removed' | 'moved';

export function Lozenge({ appearance = 'default', children }: { appearance?: LozengeAppearance; children: ReactNode }) {
  return <span className={`lozenge${appearance === 'default' ? '' : ` lozenge--${appearance}`}`}>{children}</span>;
}

export type MessageAppearance = 'information' | 'warning' | 'error' | 'success';

const ICON_PATHS: Record<MessageAppearance, string> = {
  information: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm1 15h-2v-6h2v6Zm0-8h-2V7h2v2Z',
  warning: 'M12.9 3.5a1 1 0 0 0-1.8 0l-9 16A1 1 0 0 0 3 21h18a1 1 0 0 0 .9-1.5l-9-16ZM13 18h-2v-2h2v2Zm0-4h-2V9h2v5Z',
  error: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm1 15h-2v-2h2v2Zm0-4h-2V7h2v6Z',
  success: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm-1.5 14.2-4.2-4.2 1.4-1.4 2.8 2.8 5.8-5.8 1.4 1.4-7.2 7.2Z',
};
const ICON_LABELS: Record<MessageAppearance, string> = {
  information: 'Information',
  warning: 'Warning',
  error: 'Error',
  success: 'Success',
};

/** ADS section message. Errors and warnings are announced (`role="alert"`), the rest politely. */
export function SectionMessage({
  appearance = 'information',
  title,
  children,
  actions,
}: {
  appearance?: MessageAppearance;
  title?: string;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className={`message message--${appearance}`} role={appearance === 'error' ? 'alert' : 'status'}>
      <svg className="message__icon" viewBox="0 0 24 24" role="img" aria-label={ICON_LABELS[appearance]}>
        <path d={ICON_PATHS[appearance]} fill="currentColor" />
      </svg>
      <div className="message__body">
        {title ? <h2 className="message__title">{title}</h2> : null}
        {children}
        {actions ? <div className="button-group">{actions}</div> : null}
      </div>
    </section>
  );
}

export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <div className="loading" role="status">
      <Spinner label="" />
      <span>{children}</span>
    </div>
  );
}

/** An API error with the vault's message and a retry; `what` says what could not be done. */
export function ErrorState({ error, what, onRetry }: { error: ApiError; what: string; onRetry?: () => void }) {
  return (
    <SectionMessage
      appearance="error"
      title={what}
      actions={onRetry ? <Button onClick={onRetry}>Try again</Button> : undefined}
    >
      <p>{error.message}</p>
    </SectionMessage>
  );
}

export function EmptyState({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children}
      {actions ? <div className="button-group">{actions}</div> : null}
    </div>
  );
}
