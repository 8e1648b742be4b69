/** The definitions screen's reading of a backup's definitions: the type tree, inherited attributes, cardinality. */
import { describe, expect, it } from 'vitest';
import type { AttributeDefinition, TypeDefinition } from '../src/api/vault.js';
import { attributeTypeName, cardinality, definitionTree, inheritedFrom } from '../src/lib/definitions.js';

const attribute = (over: Partial<AttributeDefinition>): AttributeDefinition => ({
  id: 'a',
  name: 'Name',
  description: null,
  type: 0,
  kind: 'Default',
  defaultType: 'Text',
  label: false,
  unique: false,
  minimumCardinality: 0,
  maximumCardinality: 1,
  options: [],
  referenceObjectTypeId: null,
  referenceObjectTypeName: null,
  referenceType: null,
  system: false,
  hidden: false,
  ...over,
});

const type = (id: string, parentId: string | null, inherited: boolean, objectCount = 0): TypeDefinition => ({
  id,
  name: `Type ${id}`,
  description: null,
  icon: { id: '1', name: 'Object', image: false },
  parentId,
  abstract: false,
  inherited,
  objectCount,
  attributes: [],
});

// 1 (passes its attributes on) ▸ 2 (keeps its own) ▸ 3; 1 ▸ 4; 5 alone
const TYPES = [
  type('1', null, true),
  type('2', '1', false, 3),
  type('3', '2', false, 7),
  type('4', '1', false),
  type('5', null, false),
];

describe('the definitions screen', () => {
  it('nests the flat type list under its parents, with counts', () => {
    const tree = definitionTree(TYPES);
    expect(tree.map((n) => n.id)).toEqual(['1', '5']);
    expect(tree[0]?.children.map((n) => [n.id, n.objectCount])).toEqual([
      ['2', 3],
      ['4', 0],
    ]);
    expect(tree[0]?.children[0]?.children.map((n) => n.id)).toEqual(['3']);
  });

  it('lists the ancestors a type inherits from: up the parents while each one passes attributes on', () => {
    const byId = (id: string) => TYPES.find((t) => t.id === id)!;
    expect(inheritedFrom(TYPES, byId('2')).map((t) => t.id)).toEqual(['1']);
    expect(inheritedFrom(TYPES, byId('4')).map((t) => t.id)).toEqual(['1']);
    // 2 keeps its attributes to itself, so 3 inherits nothing (not even 1's, which reach 3 only through 2)
    expect(inheritedFrom(TYPES, byId('3'))).toEqual([]);
    expect(inheritedFrom(TYPES, byId('5'))).toEqual([]);
  });

  it('says cardinality and type in words', () => {
    expect(cardinality(attribute({}))).toBe('0–1');
    expect(cardinality(attribute({ minimumCardinality: 1, maximumCardinality: -1 }))).toBe('1–unlimited');
    expect(cardinality(attribute({ minimumCardinality: null, maximumCardinality: null }))).toBe('—');
    expect(attributeTypeName(attribute({ defaultType: 'Select' }))).toBe('Default: Select');
    expect(attributeTypeName(attribute({ type: 1, kind: 'Object reference', defaultType: null }))).toBe(
      'Object reference',
    );
  });
});
