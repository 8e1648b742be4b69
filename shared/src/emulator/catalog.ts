/** Fixed data every emulated site starts with: global icons, statuses, reference types, groups. */

/** `/icon/global`: a fixed catalog, like the icons a fresh Assets site ships with. */
export const GLOBAL_ICON_NAMES = [
  'Object', 'Laptop', 'Desktop', 'Server', 'Virtual machine', 'Network', 'Router', 'Switch', 'Firewall',
  'Printer', 'Phone', 'Tablet', 'Monitor', 'Keyboard', 'Database', 'Cloud', 'Application', 'Service',
  'Software', 'License', 'Building', 'Office', 'Room', 'Rack', 'Location', 'Country', 'Employee', 'User',
  'Team', 'Department', 'Vendor', 'Contract', 'Invoice', 'Cost center', 'Ticket', 'Document', 'Folder',
  'Key', 'Certificate', 'Container',
] as const;

/** Global status types (category 0 inactive, 1 active, 2 pending). */
export const DEFAULT_STATUSES: ReadonlyArray<{ name: string; category: 0 | 1 | 2; description?: string }> = [
  { name: 'Active', category: 1, description: 'In use' },
  { name: 'Closed', category: 0 },
  { name: 'In Service', category: 1 },
  { name: 'Running', category: 1 },
  { name: 'Stopped', category: 0 },
  { name: 'Support Requested', category: 2 },
  { name: 'Pending', category: 2, description: 'Waiting for something' },
];

/** Global reference types a site ships with. */
export const DEFAULT_REFERENCE_TYPES: ReadonlyArray<{ name: string; color: string; description?: string }> = [
  { name: 'Dependency', color: '0052cc', description: 'Depends on' },
  { name: 'Installed', color: '36b37e' },
  { name: 'Link', color: '6554c0' },
  { name: 'Reference', color: '2f7fd1' },
  { name: 'Owner', color: 'ff991f', description: 'Owned by' },
  { name: 'Location', color: '00b8d9', description: 'Located in' },
];

export const DEFAULT_GROUPS = [
  'jira-administrators', 'jira-servicemanagement-users', 'site-admins', 'it-support', 'hr-team', 'finance',
] as const;

export const FIRST_NAMES = ['Ana', 'Ben', 'Chloe', 'Dana', 'Eli', 'Farah', 'Goran', 'Hana', 'Ivo', 'Jia',
  'Kofi', 'Lena', 'Mateo', 'Nia', 'Oskar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor',
  'Wen', 'Ximena', 'Yusuf', 'Zoe'] as const;
export const LAST_NAMES = ['Whitfield', 'Okafor', 'Novak', 'Larsen', 'Moreau', 'Tanaka', 'Silva', 'Kowalski',
  'Haddad', 'Nguyen', 'Fischer', 'Rossi', 'Petrov', 'Mensah', 'García', 'Olsen'] as const;
