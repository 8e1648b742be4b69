/**
 * Choosing object types for a restore (phase 2 uses it; built now): a ticked type ticks the parents it needs,
 * an unticked type unticks the descendants that need it; the tree is operable with the keyboard.
 */
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TypeTree, type CountedTypeNode } from '../src/components/TypeTree.js';
import { ancestors, descendants, indexTypes, isClosedUnderParents, toggleType } from '../src/lib/type-selection.js';

afterEach(cleanup);

const node = (id: string, name: string, objectCount: number, children: CountedTypeNode[] = []): CountedTypeNode => ({
  id,
  name,
  objectCount,
  children,
});
// Location · Hardware ▸ (Laptop ▸ (Gaming laptop), Server) · Software
const TREE = [
  node('1', 'Location', 6),
  node('2', 'Hardware', 0, [node('3', 'Laptop', 60, [node('5', 'Gaming laptop', 4)]), node('4', 'Server', 18)]),
  node('6', 'Software', 24),
];
const index = indexTypes(TREE);

describe('type selection rules', () => {
  it('knows each type’s ancestors and descendants', () => {
    expect(ancestors(index, '5')).toEqual(['3', '2']);
    expect(ancestors(index, '1')).toEqual([]);
    expect(descendants(index, '2').sort()).toEqual(['3', '4', '5']);
    expect(index.order).toEqual(['1', '2', '3', '5', '4', '6']);
  });

  it('ticking a child ticks every parent it needs, and nothing else', () => {
    expect([...toggleType(index, new Set(), '5', true)].sort()).toEqual(['2', '3', '5']);
    expect([...toggleType(index, new Set(['6']), '4', true)].sort()).toEqual(['2', '4', '6']);
  });

  it('unticking a type unticks its descendants but keeps its parents and siblings', () => {
    const all = new Set(index.order);
    expect([...toggleType(index, all, '3', false)].sort()).toEqual(['1', '2', '4', '6']);
    expect([...toggleType(index, all, '2', false)].sort()).toEqual(['1', '6']);
  });

  it('keeps every reachable selection closed under parents', () => {
    let selected = new Set<string>();
    const steps: [string, boolean][] = [
      ['5', true],
      ['2', false],
      ['4', true],
      ['3', true],
      ['4', false],
      ['1', true],
      ['3', false],
    ];
    for (const [id, checked] of steps) {
      selected = toggleType(index, selected, id, checked);
      expect(isClosedUnderParents(index, selected)).toBe(true);
    }
    expect([...selected].sort()).toEqual(['1', '2']);
  });
});

function CheckTree({ onChange }: { onChange: (s: Set<string>) => void }) {
  const [checked, setChecked] = useState<Set<string>>(new Set());
  return (
    <TypeTree
      label="Object types to restore"
      roots={TREE}
      checked={checked}
      onCheckedChange={(next) => {
        setChecked(next);
        onChange(next);
      }}
    />
  );
}

describe('the type tree', () => {
  it('ticks types and their parents by click, shown with aria-checked', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<CheckTree onChange={onChange} />);
    const tree = screen.getByRole('tree', { name: 'Object types to restore' });
    expect(tree.getAttribute('aria-multiselectable')).toBe('true');
    // Hardware is open; Laptop's child is hidden until Laptop is expanded
    expect(screen.queryByRole('treeitem', { name: /Gaming laptop/ })).toBeNull();
    await user.click(screen.getByText('Server'));
    const item = (name: RegExp) => screen.getByRole('treeitem', { name });
    expect(item(/^Server/).getAttribute('aria-checked')).toBe('true');
    expect(item(/^Hardware/).getAttribute('aria-checked')).toBe('true');
    expect(item(/^Laptop/).getAttribute('aria-checked')).toBe('false');
    await user.click(screen.getByText('Hardware'));
    expect(item(/^Server/).getAttribute('aria-checked')).toBe('false');
    expect([...(onChange.mock.lastCall?.[0] as Set<string>)]).toEqual([]);
  });

  it('is operable with the keyboard: arrows move, Right expands, Space ticks, Left goes to the parent', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<CheckTree onChange={onChange} />);
    const item = (name: RegExp) => screen.getByRole('treeitem', { name });
    await user.tab();
    expect(document.activeElement).toBe(item(/^Location/));
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(document.activeElement).toBe(item(/^Laptop/));
    expect(item(/^Laptop/).getAttribute('aria-expanded')).toBe('false');
    await user.keyboard('{ArrowRight}');
    expect(item(/^Laptop/).getAttribute('aria-expanded')).toBe('true');
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(item(/^Gaming laptop/));
    expect(item(/^Gaming laptop/).getAttribute('aria-level')).toBe('3');
    await user.keyboard(' ');
    expect([...(onChange.mock.lastCall?.[0] as Set<string>)].sort()).toEqual(['2', '3', '5']);
    await user.keyboard('{ArrowLeft}');
    expect(document.activeElement).toBe(item(/^Laptop/));
    await user.keyboard('{End}');
    expect(document.activeElement).toBe(item(/^Software/));
    expect(item(/^Software/).textContent).toContain('24');
  });

  it('picks one type in browse mode', async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    render(<TypeTree label="Object types" roots={TREE} selectedId="4" onSelect={onSelect} />);
    expect(screen.getByRole('treeitem', { name: /^Server/ }).getAttribute('aria-selected')).toBe('true');
    await user.click(screen.getByText('Software'));
    expect(onSelect).toHaveBeenCalledWith('6');
  });
});
