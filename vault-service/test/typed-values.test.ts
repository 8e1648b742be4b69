/** The JSON export's typed values: what each kind of stored value becomes, and what stays as stored. */
import { typedAttribute, typedValue } from '../src/modules/export/typed-values.js';

const def = (defaultType: string | null, maximumCardinality: number | null = 1, type = 0) => ({
  type,
  defaultType,
  maximumCardinality,
});
const v = (value: string, displayValue = value) => ({ value, displayValue });

describe('typed export values', () => {
  it('writes date-times as ISO 8601 with zone and dates as calendar days', () => {
    expect(typedValue(def('DateTime'), v('2026-12-07T04:29:13.000+01:00', '07/Dec/26 4:29 AM'))).toBe(
      '2026-12-07T03:29:13.000Z',
    );
    expect(typedValue(def('Date'), v('2026-03-31', '31/Mar/26'))).toBe('2026-03-31');
    expect(typedValue(def('Date'), v('2026-03-31T00:00:00.000Z'))).toBe('2026-03-31');
    // a value that is not what its type says is kept as stored, never guessed
    expect(typedValue(def('DateTime'), v('07/Dec/26 3:29 AM'))).toBe('07/Dec/26 3:29 AM');
  });

  it('writes numbers and booleans as JSON numbers and booleans', () => {
    expect(typedValue(def('Integer'), v('-42'))).toBe(-42);
    expect(typedValue(def('Integer'), v('99999999999999999999'))).toBe('99999999999999999999');
    expect(typedValue(def('Double'), v('3.25'))).toBe(3.25);
    expect(typedValue(def('Double'), v('1e3'))).toBe(1000);
    expect(typedValue(def('Double'), v('n/a'))).toBe('n/a');
    expect(typedValue(def('Boolean'), v('true'))).toBe(true);
    expect(typedValue(def('Boolean'), v('false'))).toBe(false);
    expect(typedValue(def('Text'), v('007'))).toBe('007');
  });

  it('writes references, users, statuses and groups as their ids with names', () => {
    expect(
      typedValue(def(null, 1, 1), {
        displayValue: 'Berlin',
        referencedObject: { id: '88', objectKey: 'LOC-88', label: 'Berlin', objectTypeId: '4' },
      }),
    ).toEqual({ id: '88', key: 'LOC-88', label: 'Berlin' });
    expect(typedValue(def(null, 1, 2), { displayValue: 'Ana', user: { key: 'acc-1', displayName: 'Ana' } })).toEqual({
      accountId: 'acc-1',
      displayName: 'Ana',
    });
    expect(
      typedValue(def(null, 1, 7), { displayValue: 'Active', status: { id: '3', name: 'Active', category: 1 } }),
    ).toEqual({ id: '3', name: 'Active' });
    expect(typedValue(def(null, 1, 4), { displayValue: 'admins', group: { name: 'admins' } })).toBe('admins');
  });

  it('writes several values as an array, one value or null otherwise', () => {
    expect(typedAttribute(def('Select', -1), [v('lab'), v('loaner')])).toEqual(['lab', 'loaner']);
    expect(typedAttribute(def('Select', 3), [v('lab')])).toEqual(['lab']);
    expect(typedAttribute(def('Integer', 1), [v('5')])).toBe(5);
    expect(typedAttribute(def('Integer', 1), [])).toBeNull();
    expect(typedAttribute(def('Text', -1), [])).toEqual([]);
  });
});
