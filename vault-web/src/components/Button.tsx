import type { ComponentPropsWithRef } from 'react';

export type ButtonAppearance = 'default' | 'primary' | 'danger' | 'subtle' | 'link';

/** ADS-style button; `isLoading` keeps it focusable but inert and says so to screen readers. */
export function Button({
  appearance = 'default',
  isLoading = false,
  className,
  children,
  type = 'button',
  ...rest
}: ComponentPropsWithRef<'button'> & { appearance?: ButtonAppearance; isLoading?: boolean }) {
  const classes = ['button', appearance === 'default' ? '' : `button--${appearance}`, className ?? ''].filter(Boolean);
  return (
    <button
      {...rest}
      type={type}
      className={classes.join(' ')}
      aria-disabled={isLoading || undefined}
      aria-busy={isLoading || undefined}
      onClick={isLoading ? undefined : rest.onClick}
    >
      {isLoading ? <Spinner label="" /> : null}
      {children}
    </button>
  );
}

/** An indeterminate spinner; `label` is read by screen readers (empty = decorative). */
export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <svg
      className="spinner"
      viewBox="0 0 16 16"
      role={label ? 'img' : undefined}
      aria-label={label || undefined}
      aria-hidden={label ? undefined : true}
    >
      <circle
        cx="8"
        cy="8"
        r="7"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeDasharray="30 14"
        strokeLinecap="round"
      />
    </svg>
  );
}
