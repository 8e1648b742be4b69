/**
 * The backups' date filter: choosing a day or a range in the calendar (mouse and keyboard), the instants it
 * sends to the vault in the user's time zone (Europe/Berlin here, with its DST changes), and the month grid.
 */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DateRangeFilter } from '../src/components/DateRangeFilter.js';
import { chooseDay, describeRange, moveFocus } from '../src/lib/date-range.js';
import { addMonths, dayRangeToInstants, monthGrid, type DayRange } from '../src/lib/dates.js';

afterEach(cleanup);

describe('choosing days', () => {
  it('takes one click as a single day and a second as the range between both, in either order', () => {
    const first = chooseDay({ range: undefined, anchor: undefined }, '2026-11-20');
    expect(first).toEqual({ range: { from: '2026-11-20', to: '2026-11-20' }, anchor: '2026-11-20' });
    expect(chooseDay(first, '2026-11-03')).toEqual({
      range: { from: '2026-11-03', to: '2026-11-20' },
      anchor: undefined,
    });
    expect(chooseDay(first, '2026-11-25').range).toEqual({ from: '2026-11-20', to: '2026-11-25' });
    const third = chooseDay(chooseDay(first, '2026-11-25'), '2026-12-01');
    expect(third).toEqual({ range: { from: '2026-12-01', to: '2026-12-01' }, anchor: '2026-12-01' });
  });

  it('moves the focus like the WAI-ARIA date picker: days, weeks, months, week start and end', () => {
    expect(moveFocus('2026-03-01', 'ArrowLeft', 1)).toBe('2026-02-28');
    expect(moveFocus('2026-12-31', 'ArrowRight', 1)).toBe('2027-01-01');
    expect(moveFocus('2026-11-20', 'ArrowUp', 1)).toBe('2026-11-13');
    expect(moveFocus('2026-11-20', 'ArrowDown', 1)).toBe('2026-11-27');
    expect(moveFocus('2026-03-31', 'PageUp', 1)).toBe('2026-02-28');
    expect(moveFocus('2026-01-31', 'PageDown', 1)).toBe('2026-02-28');
    // 2026-11-20 is a Friday: Monday-first weeks start on the 16th, Sunday-first ones on the 15th
    expect(moveFocus('2026-11-20', 'Home', 1)).toBe('2026-11-16');
    expect(moveFocus('2026-11-20', 'End', 1)).toBe('2026-11-22');
    expect(moveFocus('2026-11-20', 'Home', 0)).toBe('2026-11-15');
    expect(moveFocus('2026-11-20', 'Tab', 1)).toBeUndefined();
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
  });

  it('sends whole local days to the vault, across the DST changes', () => {
    expect(process.env.TZ).toBe('Europe/Berlin');
    expect(dayRangeToInstants({ from: '2026-11-20', to: '2026-11-20' })).toEqual({
      from: '2026-11-19T23:00:00.000Z',
      to: '2026-11-20T22:59:59.999Z',
    });
    // 29 March 2026 has 23 hours in Berlin, 25 October 2026 has 25
    expect(dayRangeToInstants({ from: '2026-03-29', to: '2026-03-29' })).toEqual({
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T21:59:59.999Z',
    });
    expect(dayRangeToInstants({ from: '2026-10-01', to: '2026-10-25' })).toEqual({
      from: '2026-09-30T22:00:00.000Z',
      to: '2026-10-25T22:59:59.999Z',
    });
  });

  it('lays a month out in six weeks starting on the locale week day', () => {
    const weeks = monthGrid(2026, 10, 1);
    expect(weeks).toHaveLength(6);
    expect(weeks[0]?.[0]).toBe('2026-10-26');
    expect(weeks.flat()).toContain('2026-11-30');
    expect(monthGrid(2026, 10, 0)[0]?.[0]).toBe('2026-11-01');
  });
});

function Harness({ onChange, initial }: { onChange: (r: DayRange | undefined) => void; initial?: DayRange }) {
  return (
    <DateRangeFilter label="Backup date" value={initial} onChange={onChange} today="2026-11-20" weekStartsOn={1} />
  );
}

describe('the date filter in the page', () => {
  it('applies a range picked with two clicks and says what is selected', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness onChange={onChange} />);
    const trigger = screen.getByRole('button', { name: 'Backup date Any date' });
    expect(trigger.getAttribute('aria-expanded')).toBe('false');
    await user.click(trigger);
    const dialog = screen.getByRole('dialog', { name: 'Choose backup date' });
    expect(within(dialog).getByRole('heading', { name: 'November 2026' })).toBeTruthy();
    await user.click(within(dialog).getByRole('gridcell', { name: /^3 Nov 2026/ }));
    expect(within(dialog).getByText(/^Selected: 3 Nov 2026$/)).toBeTruthy();
    await user.click(within(dialog).getByRole('gridcell', { name: /^10 Nov 2026/ }));
    expect(within(dialog).getByText('Selected: 3 Nov 2026 – 10 Nov 2026')).toBeTruthy();
    const selected = within(dialog)
      .getAllByRole('gridcell')
      .filter((c) => c.getAttribute('aria-selected') === 'true');
    expect(selected.map((c) => c.textContent)).toEqual(['3', '4', '5', '6', '7', '8', '9', '10']);
    await user.click(within(dialog).getByRole('button', { name: 'Apply' }));
    expect(onChange).toHaveBeenCalledWith({ from: '2026-11-03', to: '2026-11-10' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(trigger);
  });

  it('is operable with the keyboard alone: arrows, Enter, Page Down, Escape', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Harness onChange={onChange} />);
    await user.click(screen.getByRole('button', { name: /^Backup date/ }));
    // focus starts on today
    expect(document.activeElement?.getAttribute('aria-label')).toBe('20 Nov 2026, today');
    await user.keyboard('{ArrowLeft}{ArrowLeft}{Enter}{ArrowDown}{Enter}');
    expect(screen.getByText('Selected: 18 Nov 2026 – 25 Nov 2026')).toBeTruthy();
    await user.keyboard('{PageDown}');
    expect(screen.getByRole('heading', { name: 'December 2026' })).toBeTruthy();
    expect(document.activeElement?.getAttribute('aria-label')).toBe('25 Dec 2026');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(onChange).not.toHaveBeenCalled();
  });

  it('shows the applied filter and clears it', async () => {
    const onChange = vi.fn();
    render(<Harness onChange={onChange} initial={{ from: '2026-11-03', to: '2026-11-03' }} />);
    expect(screen.getByRole('button', { name: 'Backup date 3 Nov 2026' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Clear backup date' }));
    expect(onChange).toHaveBeenCalledWith(undefined);
    expect(describeRange(undefined)).toBe('Any date');
  });
});
