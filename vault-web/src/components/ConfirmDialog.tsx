/**
 * A confirmation as a native modal <dialog>: the browser keeps focus inside, makes the page behind inert,
 * closes on Esc and puts focus back where it was. No style element is injected (the CSP allows none).
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button } from './Button.js';

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  appearance = 'primary',
  isWorking = false,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  appearance?: 'primary' | 'danger';
  isWorking?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!isWorking) onCancel();
      }}
    >
      {open ? (
        <div className="dialog__content">
          <h2 id={titleId}>{title}</h2>
          <div>{children}</div>
          <div className="dialog__footer">
            {/* a destructive confirmation starts on Cancel, so Enter alone never deletes */}
            <Button appearance="subtle" onClick={onCancel} disabled={isWorking} autoFocus={appearance === 'danger'}>
              Cancel
            </Button>
            <Button
              appearance={appearance}
              onClick={onConfirm}
              isLoading={isWorking}
              autoFocus={appearance !== 'danger'}
            >
              {confirmLabel}
            </Button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
