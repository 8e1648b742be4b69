/**
 * The object types of a backup as a tree (WAI-ARIA tree view): expandable and collapsible, keyboard-operable
 * (arrows, Home/End, Enter/Space), with object counts. Two uses:
 * - browse: `selectedId` + `onSelect` pick one type to list;
 * - restore options (phase 2): `checked` + `onCheckedChange` tick types; ticking a child ticks the parents it
 *   needs (lib/type-selection.ts).
 */
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { indexTypes, toggleType, type TypeNode } from '../lib/type-selection.js';

export interface CountedTypeNode extends TypeNode {
  objectCount: number;
  children: CountedTypeNode[];
}

interface VisibleItem {
  node: CountedTypeNode;
  level: number;
  parentId: string | undefined;
}

function visibleItems(roots: CountedTypeNode[], expanded: ReadonlySet<string>): VisibleItem[] {
  const out: VisibleItem[] = [];
  const walk = (nodes: CountedTypeNode[], level: number, parentId: string | undefined) => {
    for (const node of nodes) {
      out.push({ node, level, parentId });
      if (node.children.length > 0 && expanded.has(node.id)) walk(node.children, level + 1, node.id);
    }
  };
  walk(roots, 1, undefined);
  return out;
}

export function TypeTree({
  label,
  roots,
  selectedId,
  onSelect,
  checked,
  onCheckedChange,
}: {
  label: string;
  roots: CountedTypeNode[];
  selectedId?: string | undefined;
  onSelect?: (id: string) => void;
  checked?: ReadonlySet<string>;
  onCheckedChange?: (next: Set<string>) => void;
}) {
  const index = useMemo(() => indexTypes(roots), [roots]);
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(roots.map((r) => r.id)));
  const items = visibleItems(roots, expanded);
  const [focusedId, setFocusedId] = useState<string | undefined>(selectedId ?? roots[0]?.id);
  const treeRef = useRef<HTMLUListElement>(null);
  const checkboxMode = checked !== undefined;
  const tabStop = items.some((i) => i.node.id === focusedId) ? focusedId : items[0]?.node.id;

  const focusItem = (id: string) => {
    setFocusedId(id);
    treeRef.current?.querySelector<HTMLElement>(`[data-type-id="${CSS.escape(id)}"]`)?.focus();
  };
  const setOpen = (id: string, open: boolean) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open) next.add(id);
      else next.delete(id);
      return next;
    });
  const activate = (id: string) => {
    if (checked && onCheckedChange) onCheckedChange(toggleType(index, checked, id, !checked.has(id)));
    else onSelect?.(id);
  };

  const onKeyDown = (event: KeyboardEvent, item: VisibleItem) => {
    const at = items.findIndex((i) => i.node.id === item.node.id);
    const hasChildren = item.node.children.length > 0;
    const isOpen = expanded.has(item.node.id);
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        if (items[at + 1]) focusItem(items[at + 1]?.node.id ?? '');
        break;
      case 'ArrowUp':
        if (at > 0) focusItem(items[at - 1]?.node.id ?? '');
        break;
      case 'ArrowRight':
        if (hasChildren && !isOpen) setOpen(item.node.id, true);
        else if (hasChildren) focusItem(item.node.children[0]?.id ?? item.node.id);
        break;
      case 'ArrowLeft':
        if (hasChildren && isOpen) setOpen(item.node.id, false);
        else if (item.parentId !== undefined) focusItem(item.parentId);
        break;
      case 'Home':
        focusItem(items[0]?.node.id ?? '');
        break;
      case 'End':
        focusItem(items[items.length - 1]?.node.id ?? '');
        break;
      case 'Enter':
      case ' ':
        activate(item.node.id);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  };

  const renderLevel = (nodes: CountedTypeNode[], level: number) =>
    nodes.map((node) => {
      const hasChildren = node.children.length > 0;
      const isOpen = expanded.has(node.id);
      const item: VisibleItem = { node, level, parentId: index.parentOf.get(node.id) };
      return (
        <li
          key={node.id}
          role="treeitem"
          data-type-id={node.id}
          aria-level={level}
          aria-expanded={hasChildren ? isOpen : undefined}
          aria-selected={checkboxMode ? undefined : node.id === selectedId}
          aria-checked={checkboxMode ? checked.has(node.id) : undefined}
          tabIndex={node.id === tabStop ? 0 : -1}
          onKeyDown={(event) => onKeyDown(event, item)}
          onFocus={(event) => {
            if (event.target === event.currentTarget) setFocusedId(node.id);
          }}
        >
          <div
            className="tree__row"
            onClick={() => {
              setFocusedId(node.id);
              activate(node.id);
            }}
          >
            <span
              className="tree__toggle"
              aria-hidden="true"
              onClick={(event) => {
                if (!hasChildren) return;
                event.stopPropagation();
                setOpen(node.id, !isOpen);
              }}
            >
              {hasChildren ? (isOpen ? '▾' : '▸') : ''}
            </span>
            {checkboxMode ? (
              <input type="checkbox" tabIndex={-1} aria-hidden="true" checked={checked.has(node.id)} readOnly />
            ) : null}
            <span>{node.name}</span>
            <span className="tree__count">
              <span className="visually-hidden">, </span>
              {node.objectCount.toLocaleString()}
              <span className="visually-hidden"> objects</span>
            </span>
          </div>
          {hasChildren && isOpen ? <ul role="group">{renderLevel(node.children, level + 1)}</ul> : null}
        </li>
      );
    });

  return (
    <ul ref={treeRef} className="tree" role="tree" aria-label={label} aria-multiselectable={checkboxMode || undefined}>
      {renderLevel(roots, 1)}
    </ul>
  );
}
