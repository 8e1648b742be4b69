/**
 * "Backup date" filter: a button that opens a calendar (WAI-ARIA date picker dialog pattern). One click picks a
 * day, a second click a range; Apply filters, Clear removes the filter. Arrow keys, Page Up/Down, Home/End move
 * between days; Enter or Space chooses; Esc closes and returns focus to the button.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { chooseDay, describeRange, inRange, moveFocus, type RangeDraft } from '../lib/date-range.js';
import { dayStart, formatDay, monthGrid, type DayRange, type IsoDay } from '../lib/dates.js';
import { Button } from './Button.js';

const monthTitle = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });
const weekdayShort = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const weekdayLong = new Intl.DateTimeFormat(undefined, { weekday: 'long' });

export function DateRangeFilter({
  label,
  value,
  onChange,
  today,
  weekStartsOn,
}: {
  label: string;
  value: DayRange | undefined;
  onChange: (range: DayRange | undefined) => void;
  today: IsoDay;
  weekStartsOn: number;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<RangeDraft>({ range: value, anchor: undefined });
  const [focused, setFocused] = useState<IsoDay>(value?.from ?? today);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLTableElement>(null);
  const focusGrid = useRef(false);
  const id = useId();

  const close = (returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) triggerRef.current?.focus();
  };
  const openPanel = () => {
    setDraft({ range: value, anchor: undefined });
    setFocused(value?.from ?? today);
    focusGrid.current = true;
    setOpen(true);
  };

  useEffect(() => {
    if (!open || !focusGrid.current) return;
    focusGrid.current = false;
    gridRef.current?.querySelector<HTMLElement>('[tabindex="0"]')?.focus();
  });

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panelRef.current?.contains(target) && !triggerRef.current?.contains(target)) close(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const focusedDate = dayStart(focused);
  const weeks = monthGrid(focusedDate.getFullYear(), focusedDate.getMonth(), weekStartsOn);
  const headerDays = weeks[0] ?? [];

  const onGridKey = (event: KeyboardEvent) => {
    const next = moveFocus(focused, event.key, weekStartsOn);
    if (next === undefined) return;
    event.preventDefault();
    focusGrid.current = true;
    setFocused(next);
  };
  const pick = (day: IsoDay) => {
    setFocused(day);
    setDraft((d) => chooseDay(d, day));
  };
  const shiftMonth = (months: number) => {
    const next = new Date(focusedDate.getFullYear(), focusedDate.getMonth() + months, 1);
    setFocused(`${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}-01`);
  };

  return (
    <div className="field date-filter">
      <span className="field__label" id={`${id}-label`}>
        {label}
      </span>
      <div className="button-group">
        <Button
          ref={triggerRef}
          className="date-filter__trigger"
          aria-haspopup="dialog"
          aria-expanded={open}
          aria-labelledby={`${id}-label ${id}-value`}
          onClick={() => (open ? close(false) : openPanel())}
        >
          <span id={`${id}-value`}>{describeRange(value)}</span>
        </Button>
        {value ? (
          <Button appearance="subtle" onClick={() => onChange(undefined)} aria-label={`Clear ${label.toLowerCase()}`}>
            Clear
          </Button>
        ) : null}
      </div>
      {open ? (
        <div
          ref={panelRef}
          className="date-filter__panel"
          role="dialog"
          aria-modal="false"
          aria-label={`Choose ${label.toLowerCase()}`}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              close(true);
            }
          }}
        >
          <p className="subtle" id={`${id}-help`}>
            Choose a day, or a first and a last day.
          </p>
          <div className="calendar__header">
            <Button appearance="subtle" aria-label="Previous month" onClick={() => shiftMonth(-1)}>
              ‹
            </Button>
            <h2 className="message__title" aria-live="polite" id={`${id}-month`}>
              {monthTitle.format(focusedDate)}
            </h2>
            <Button appearance="subtle" aria-label="Next month" onClick={() => shiftMonth(1)}>
              ›
            </Button>
          </div>
          <table
            ref={gridRef}
            className="calendar__grid"
            role="grid"
            aria-labelledby={`${id}-month`}
            aria-describedby={`${id}-help`}
            onKeyDown={onGridKey}
          >
            <thead>
              <tr>
                {headerDays.map((day) => (
                  <th key={day} scope="col" abbr={weekdayLong.format(dayStart(day))}>
                    {weekdayShort.format(dayStart(day))}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeks.map((week) => (
                <tr key={week[0]}>
                  {week.map((day) => {
                    const outside = dayStart(day).getMonth() !== focusedDate.getMonth();
                    const isEnd = draft.range !== undefined && (day === draft.range.from || day === draft.range.to);
                    const classes = [
                      'calendar__day',
                      outside ? 'calendar__day--outside' : '',
                      day === today ? 'calendar__day--today' : '',
                      isEnd ? 'calendar__day--end' : inRange(draft.range, day) ? 'calendar__day--in-range' : '',
                    ].filter(Boolean);
                    return (
                      <td
                        key={day}
                        role="gridcell"
                        className={classes.join(' ')}
                        tabIndex={day === focused ? 0 : -1}
                        aria-selected={inRange(draft.range, day)}
                        aria-label={`${formatDay(day)}${day === today ? ', today' : ''}`}
                        onClick={() => pick(day)}
                        onKeyDown={(event) => {
                          if (event.key !== 'Enter' && event.key !== ' ') return;
                          event.preventDefault();
                          pick(day);
                        }}
                      >
                        {dayStart(day).getDate()}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          <p aria-live="polite">Selected: {describeRange(draft.range)}</p>
          <div className="dialog__footer">
            <Button
              appearance="subtle"
              onClick={() => {
                onChange(undefined);
                close(true);
              }}
            >
              Clear
            </Button>
            <Button
              appearance="primary"
              disabled={draft.range === undefined}
              onClick={() => {
                onChange(draft.range);
                close(true);
              }}
            >
              Apply
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
