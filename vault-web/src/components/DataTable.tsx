/**
 * A table with a caption, optional row selection and paging. Rows are real <tr>s (screen readers get headers
 * and positions); a long list is shown one page at a time, either paged here or by the API's cursor (`pager`).
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Button } from './Button.js';

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  numeric?: boolean;
  /** the row header cell (names the row for screen readers) */
  isRowHeader?: boolean;
}

export interface DataTableProps<T> {
  caption: string;
  captionHidden?: boolean;
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  isSelected?: (row: T) => boolean;
  /** page the rows here (client-side) */
  pageSize?: number;
  empty?: ReactNode;
  footer?: ReactNode;
  /** the rows are an earlier answer and a new one is on its way (another filter, the next page) */
  busy?: boolean;
}

export function DataTable<T>({
  caption,
  captionHidden = false,
  columns,
  rows,
  rowKey,
  isSelected,
  pageSize,
  empty,
  footer,
  busy = false,
}: DataTableProps<T>) {
  const [page, setPage] = useState(0);
  const pages = pageSize ? Math.max(1, Math.ceil(rows.length / pageSize)) : 1;
  useEffect(() => {
    if (page >= pages) setPage(pages - 1);
  }, [page, pages]);
  const visible = pageSize ? rows.slice(page * pageSize, (page + 1) * pageSize) : rows;
  if (rows.length === 0 && empty) return <>{empty}</>;
  return (
    <div>
      <div className="table-wrap">
        <table className={busy ? 'table table--busy' : 'table'} aria-busy={busy || undefined}>
          <caption className={captionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {visible.map((row) => (
              <tr key={rowKey(row)} aria-selected={isSelected ? isSelected(row) : undefined}>
                {columns.map((c) =>
                  c.isRowHeader ? (
                    <th key={c.key} scope="row" className={c.numeric ? 'num' : undefined}>
                      {c.cell(row)}
                    </th>
                  ) : (
                    <td key={c.key} className={c.numeric ? 'num' : undefined}>
                      {c.cell(row)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pageSize && pages > 1 ? (
        <Pager
          label={`${caption}: page ${page + 1} of ${pages}`}
          hasPrevious={page > 0}
          hasNext={page < pages - 1}
          onPrevious={() => setPage(page - 1)}
          onNext={() => setPage(page + 1)}
        />
      ) : null}
      {footer}
    </div>
  );
}

export function Pager({
  label,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
}: {
  label: string;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <span aria-live="polite">{label}</span>
      <div className="button-group">
        <Button onClick={onPrevious} disabled={!hasPrevious}>
          Previous page
        </Button>
        <Button onClick={onNext} disabled={!hasNext}>
          Next page
        </Button>
      </div>
    </nav>
  );
}

/** A card holding one table under its own heading; the table's caption (for screen readers) defaults to the heading. */
export function TableCard<T>({
  id,
  title,
  caption = title,
  ...table
}: { id: string; title: string; caption?: string } & Omit<DataTableProps<T>, 'caption' | 'captionHidden'>) {
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <DataTable<T> caption={caption} captionHidden {...table} />
    </section>
  );
}
