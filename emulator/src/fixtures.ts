/**
 * Realistic, deterministic fixture data for an emulated site: an "IT Inventory" schema with an
 * abstract inherited parent type and children, every default attribute type, user/group/status
 * attributes, multi-valued references with cycles and references into a second "Human Resources"
 * schema, object avatars, history entries, and Jira issues that point at objects. Same seed and
 * size → same data, ids and timestamps.
 */
import { AttributeKind, DefaultType } from '@assets-vault/shared/model';
import { FIRST_NAMES, LAST_NAMES } from './catalog.js';
import { Rng, seededUuid } from './random.js';
import type { EmulatorSite } from './site.js';
import type { AttrRec, ObjRec, TypeRec } from './store/records.js';
import type { SiteStore } from './store/site-store.js';

export interface SeedOptions {
  /** objects in the main schema */
  objects: number;
  seed?: string | number;
  /** history entries beyond "created" (default true) */
  history?: boolean;
  /** Jira issues referencing objects (default true) */
  issues?: boolean;
  /** the "Human Resources" schema that main-schema objects reference (default true) */
  secondSchema?: boolean;
  schemaName?: string;
  schemaKey?: string;
  /** also create the site's read-only "Services" system schema (default false) */
  systemSchema?: boolean;
  /** validate every object like POST /object/create (default: only up to 5,000 objects) */
  validate?: boolean;
  /**
   * icons uploaded on this site in the past (default true): a global one ("Rack unit", used by
   * Server) and one of the main schema ("Field laptop", used by Laptop). Other sites lack them, so
   * a restore there has to map icons by name and report these two.
   */
  customIcons?: boolean;
}

export interface SeedResult {
  schemaId: string;
  secondSchemaId?: string;
  systemSchemaId?: string;
  /** type name → id, for both schemas ("Laptop", "Employee", …) */
  objectTypeIds: Record<string, string>;
  /** "Type.Attribute" → id, own attributes only ("Hardware.Serial Number", "Laptop.Name" for the inherited label's owner is "Hardware.Name") */
  attributeIds: Record<string, string>;
  objectCount: number;
  secondSchemaObjectCount: number;
  historyEntries: number;
  issueKeys: string[];
  /** Assets custom field ids on the Jira side (customfield_N) */
  assetsFieldIds: string[];
  userAccountIds: string[];
  avatarObjectIds: string[];
  /** icons this seed uploaded (see SeedOptions.customIcons); schemaId only on schema icons */
  customIcons: Array<{ id: string; name: string; schemaId?: string }>;
}

const BASE_TIME = Date.UTC(2023, 0, 2, 9, 0, 0);
const MINUTE = 60_000;

type AttrSpec = {
  name: string;
  type: number;
  defaultTypeId?: number;
  options?: string;
  typeValue?: string;
  additionalValue?: string;
  typeValueMulti?: string[];
  min?: number;
  max?: number;
  unique?: boolean;
  includeChildObjectTypes?: boolean;
  suffix?: string;
  description?: string;
};

function uniqueName(store: SiteStore, name: string, key: string): { name: string; key: string } {
  let n = 1,
    outName = name,
    outKey = key;
  const taken = () =>
    store.schemaList().some((s) => s.name.toLowerCase() === outName.toLowerCase() || s.key === outKey);
  while (taken()) {
    n++;
    outName = `${name} ${n}`;
    outKey = `${key.slice(0, 8)}${n}`;
  }
  return { name: outName, key: outKey };
}

/** Seeds a site with the fixture; see SeedOptions. */
export function seedFixture(site: EmulatorSite, opts: SeedOptions): SeedResult {
  const store = site.data;
  const seed = opts.seed ?? 'fixture';
  const rng = new Rng(`${seed}:data`);
  const validate = opts.validate ?? opts.objects <= 5000;
  const objectTypeIds: Record<string, string> = {};
  const attributeIds: Record<string, string> = {};
  const avatarObjectIds: string[] = [];

  // ---- users (accountIds) the user attributes and history actors use
  const userAccountIds: string[] = [];
  for (let i = 0; i < 24; i++) {
    const accountId = `712020:${seededUuid(seed, 'user', i)}`;
    const first = FIRST_NAMES[i % FIRST_NAMES.length] ?? 'Ana';
    const last = LAST_NAMES[(i * 7) % LAST_NAMES.length] ?? 'Novak';
    store.addUser({ accountId, displayName: `${first} ${last}`, email: `${first}.${last}@example.test`.toLowerCase() });
    userAccountIds.push(accountId);
  }
  const groups = store.groupList();

  const mkType = (
    schemaId: number,
    name: string,
    iconName: string,
    extra: { parent?: TypeRec; inherited?: boolean; abstract?: boolean; description?: string } = {},
  ): TypeRec => {
    // the schema's own icon of that name, else the global one (like the icon picker)
    const icons = store.iconList().filter((i) => i.name === iconName);
    const iconId = (icons.find((i) => i.schemaId === schemaId) ?? icons.find((i) => i.schemaId === undefined))?.id ?? 1;
    const t = store.createType({
      name,
      objectSchemaId: String(schemaId),
      iconId: String(iconId),
      ...(extra.parent ? { parentObjectTypeId: String(extra.parent.id) } : {}),
      ...(extra.inherited ? { inherited: true } : {}),
      ...(extra.abstract ? { abstractObjectType: true } : {}),
      ...(extra.description ? { description: extra.description } : {}),
    });
    objectTypeIds[name] = String(t.id);
    return t;
  };
  const mkAttr = (t: TypeRec, spec: AttrSpec): AttrRec => {
    const a = store.createAttribute(String(t.id), {
      name: spec.name,
      type: spec.type,
      ...(spec.defaultTypeId !== undefined ? { defaultTypeId: spec.defaultTypeId } : {}),
      ...(spec.options !== undefined ? { options: spec.options } : {}),
      ...(spec.typeValue !== undefined ? { typeValue: spec.typeValue } : {}),
      ...(spec.additionalValue !== undefined ? { additionalValue: spec.additionalValue } : {}),
      ...(spec.typeValueMulti !== undefined ? { typeValueMulti: spec.typeValueMulti } : {}),
      ...(spec.min !== undefined ? { minimumCardinality: spec.min } : {}),
      ...(spec.max !== undefined ? { maximumCardinality: spec.max } : {}),
      ...(spec.unique ? { uniqueAttribute: true } : {}),
      ...(spec.includeChildObjectTypes ? { includeChildObjectTypes: true } : {}),
      ...(spec.suffix ? { suffix: spec.suffix } : {}),
      ...(spec.description ? { description: spec.description } : {}),
    });
    attributeIds[`${t.name}.${spec.name}`] = String(a.id);
    return a;
  };
  const mkDefault = (t: TypeRec, name: string, defaultTypeId: number, extra: Partial<AttrSpec> = {}): AttrRec =>
    mkAttr(t, { name, type: AttributeKind.Default, defaultTypeId, ...extra });
  const labelOf = (t: TypeRec) => {
    const label = store.view(t.id).labelAttr;
    if (!label) throw new Error(`type ${t.name} has no label`);
    attributeIds[`${store.type(label.typeId)?.name ?? t.name}.Name`] = String(label.id);
    return label;
  };
  const refType = (name: string) => String(store.refTypeList(undefined, false).find((r) => r.name === name)?.id ?? 1);
  const statusId = (name: string) => String(store.statusList().find((s) => s.name === name)?.id ?? 1);

  // ---- schema 2: Human Resources (referenced from schema 1)
  let secondSchemaId: number | undefined;
  let employeeType: TypeRec | undefined;
  const employees: ObjRec[] = [];
  let time = BASE_TIME;
  const tick = (minutes: number) => (time += minutes * MINUTE);

  if (opts.secondSchema ?? true) {
    const names = uniqueName(store, 'Human Resources', 'HR');
    const hr = store.createSchema({ name: names.name, objectSchemaKey: names.key, description: 'People and offices' });
    secondSchemaId = hr.id;
    const office = mkType(hr.id, 'Office', 'Office');
    const officeName = labelOf(office);
    const officeCountry = mkDefault(office, 'Country', DefaultType.Select, {
      options: 'Germany,Portugal,Japan,Brazil,Canada',
    });
    const officeAddress = mkDefault(office, 'Address', DefaultType.Textarea);
    employeeType = mkType(hr.id, 'Employee', 'Employee');
    const empName = labelOf(employeeType);
    const empEmail = mkDefault(employeeType, 'Email', DefaultType.Email, { unique: true });
    const empDept = mkDefault(employeeType, 'Department', DefaultType.Select, {
      options: 'IT,HR,Finance,Sales,Support',
    });
    const empStart = mkDefault(employeeType, 'Start date', DefaultType.Date);
    const empAccount = mkAttr(employeeType, {
      name: 'Jira user',
      type: AttributeKind.User,
      additionalValue: 'SHOW_PROFILE',
    });
    const empTeam = mkAttr(employeeType, { name: 'Team group', type: AttributeKind.Group });
    const empOffice = mkAttr(employeeType, {
      name: 'Office',
      type: AttributeKind.Reference,
      typeValue: String(office.id),
      additionalValue: refType('Location'),
    });
    const empManager = mkAttr(employeeType, {
      name: 'Manager',
      type: AttributeKind.Reference,
      typeValue: String(employeeType.id),
      additionalValue: refType('Reference'),
      description: 'Managers form chains and cycles',
    });

    const offices: ObjRec[] = [];
    const countries = ['Germany', 'Portugal', 'Japan', 'Brazil', 'Canada'];
    for (let i = 0; i < 5; i++) {
      const created = tick(3);
      offices.push(
        store.insertObject(
          office.id,
          new Map([
            [officeName.id, [`Office ${countries[i]}`]],
            [officeCountry.id, [countries[i] ?? 'Germany']],
            [officeAddress.id, [`Main street ${i + 1}\nFloor ${i + 2}`]],
          ]),
          { created, updated: created, validate },
        ),
      );
    }
    const employeeCount = Math.min(500, Math.max(10, Math.ceil(opts.objects / 20)));
    for (let i = 0; i < employeeCount; i++) {
      const created = tick(7);
      const first = rng.pick(FIRST_NAMES),
        last = rng.pick(LAST_NAMES);
      const values = new Map<number, string[]>([
        [empName.id, [`${first} ${last}`]],
        [empEmail.id, [`${first}.${last}.${i}@example.test`.toLowerCase()]],
        [empDept.id, [rng.pick(['IT', 'HR', 'Finance', 'Sales', 'Support'])]],
        [empStart.id, [new Date(BASE_TIME - rng.int(30, 3000) * 86_400_000).toISOString().slice(0, 10)]],
        [empOffice.id, [String(rng.pick(offices).id)]],
      ]);
      if (rng.chance(0.7)) values.set(empAccount.id, [rng.pick(userAccountIds)]);
      if (rng.chance(0.6)) values.set(empTeam.id, [rng.pick(groups)]);
      employees.push(store.insertObject(employeeType.id, values, { created, updated: created, validate }));
    }
    // managers: a chain with a cycle at the top (the first three manage each other)
    employees.forEach((e, i) => {
      const manager = i < 3 ? employees[(i + 1) % 3] : employees[rng.int(0, Math.max(0, i - 1))];
      if (manager && manager.id !== e.id) store.setValuesUnchecked(e, empManager.id, [String(manager.id)]);
    });
  }

  // ---- schema 1: IT Inventory
  const names = uniqueName(store, opts.schemaName ?? 'IT Inventory', opts.schemaKey ?? 'ITI');
  const main = store.createSchema({
    name: names.name,
    objectSchemaKey: names.key,
    description: 'Hardware, software and locations',
  });
  if (secondSchemaId !== undefined) store.setSchemaConfig(String(main.id), { allowOtherObjectSchema: true });
  const retired = store.createStatus({ name: 'Retired', category: 0, objectSchemaId: String(main.id) });
  const inRepair = store.createStatus({
    name: 'In repair',
    category: 2,
    objectSchemaId: String(main.id),
    description: 'At the vendor',
  });
  const runsOn = store.createRefType({ name: 'Runs on', color: 'de350b', objectSchemaId: String(main.id) });

  const customIcons: SeedResult['customIcons'] = [];
  const withCustomIcons = opts.customIcons ?? true;
  if (withCustomIcons) {
    const rack = store.globalIcons().find((i) => i.name === 'Rack unit') ?? store.addIcon({ name: 'Rack unit' });
    const field = store.addIcon({ name: 'Field laptop', schemaId: main.id });
    customIcons.push(
      { id: String(rack.id), name: rack.name },
      { id: String(field.id), name: field.name, schemaId: String(main.id) },
    );
  }

  const location = mkType(main.id, 'Location', 'Location');
  const locName = labelOf(location);
  const locCode = mkDefault(location, 'Building code', DefaultType.Text, { unique: true });
  const locParent = mkAttr(location, {
    name: 'Parent location',
    type: AttributeKind.Reference,
    typeValue: String(location.id),
    additionalValue: refType('Location'),
  });

  const hardware = mkType(main.id, 'Hardware', 'Object', {
    inherited: true,
    abstract: true,
    description: 'Abstract parent: children inherit its attributes',
  });
  const hwName = labelOf(hardware);
  const hwSerial = mkDefault(hardware, 'Serial Number', DefaultType.Text, { min: 1, unique: true });
  const hwPurchase = mkDefault(hardware, 'Purchase date', DefaultType.Date);
  const hwPrice = mkDefault(hardware, 'Price', DefaultType.Double, { suffix: 'EUR' });
  const hwWarranty = mkDefault(hardware, 'Warranty months', DefaultType.Integer);
  const hwStock = mkDefault(hardware, 'In stock', DefaultType.Boolean);
  const hwStatus = mkAttr(hardware, {
    name: 'Status',
    type: AttributeKind.Status,
    typeValueMulti: [statusId('Active'), statusId('Closed'), String(retired.id), String(inRepair.id)],
  });
  const hwLocation = mkAttr(hardware, {
    name: 'Location',
    type: AttributeKind.Reference,
    typeValue: String(location.id),
    additionalValue: refType('Location'),
  });
  const hwOwner = employeeType
    ? mkAttr(hardware, {
        name: 'Owner',
        type: AttributeKind.Reference,
        typeValue: String(employeeType.id),
        additionalValue: refType('Owner'),
        description: 'An employee in the HR schema',
      })
    : undefined;
  const hwNotes = mkDefault(hardware, 'Notes', DefaultType.Textarea);

  const laptop = mkType(main.id, 'Laptop', withCustomIcons ? 'Field laptop' : 'Laptop', { parent: hardware });
  const lapRam = mkDefault(laptop, 'RAM', DefaultType.Integer, { suffix: 'GB' });
  const lapOs = mkDefault(laptop, 'Operating system', DefaultType.Select, {
    options: 'Windows 11,macOS,Ubuntu,Fedora',
  });
  const lapSeen = mkDefault(laptop, 'Last seen', DefaultType.DateTime);
  const lapUser = mkAttr(laptop, { name: 'Assigned user', type: AttributeKind.User, additionalValue: 'SHOW_PROFILE' });

  const server = mkType(main.id, 'Server', withCustomIcons ? 'Rack unit' : 'Server', { parent: hardware });
  const srvIp = mkDefault(server, 'IP address', DefaultType.IpAddress);
  const srvHost = mkDefault(server, 'Hostname', DefaultType.Text);
  const srvConsole = mkDefault(server, 'Console URL', DefaultType.Url);
  const srvGroup = mkAttr(server, { name: 'Admin group', type: AttributeKind.Group });

  const network = mkType(main.id, 'Network device', 'Router', { parent: hardware });
  const netIp = mkDefault(network, 'Management IP', DefaultType.IpAddress);
  const netPorts = mkDefault(network, 'Ports', DefaultType.Integer);

  const software = mkType(main.id, 'Software', 'Application');
  const swName = labelOf(software);
  const swVersion = mkDefault(software, 'Version', DefaultType.Text);
  const swLicense = mkDefault(software, 'License type', DefaultType.Select, {
    options: 'Commercial,Open source,Freeware,Subscription',
  });
  const swVendor = mkDefault(software, 'Vendor email', DefaultType.Email);
  const swHome = mkDefault(software, 'Homepage', DefaultType.Url);
  const swWindow = mkDefault(software, 'Maintenance window', DefaultType.Time);
  const swResponsible = mkAttr(software, { name: 'Responsible', type: AttributeKind.User });
  const swLifecycle = mkAttr(software, { name: 'Lifecycle', type: AttributeKind.Status });
  const swDepends = mkAttr(software, {
    name: 'Depends on',
    type: AttributeKind.Reference,
    typeValue: String(software.id),
    additionalValue: refType('Dependency'),
    max: -1,
    description: 'Dependencies form cycles',
  });
  const swInstalled = mkAttr(software, {
    name: 'Installed on',
    type: AttributeKind.Reference,
    typeValue: String(hardware.id),
    additionalValue: String(runsOn.id),
    includeChildObjectTypes: true,
    max: 10,
  });

  // ---- objects of schema 1: share of N per type
  const n = Math.max(0, Math.floor(opts.objects));
  const counts = {
    location: Math.round(n * 0.05),
    software: Math.round(n * 0.2),
    server: Math.round(n * 0.15),
    network: Math.round(n * 0.1),
  };
  if (n >= 5) for (const k of Object.keys(counts) as Array<keyof typeof counts>) counts[k] = Math.max(1, counts[k]);
  let rest = n - counts.location - counts.software - counts.server - counts.network;
  if (rest < 0) {
    // tiny fixtures: fill in order location, software, laptop…
    counts.location = Math.min(n, 1);
    counts.software = Math.min(n - counts.location, 1);
    counts.server = Math.min(n - counts.location - counts.software, 1);
    counts.network = 0;
    rest = n - counts.location - counts.software - counts.server;
  }
  const laptopCount = rest;

  const locations: ObjRec[] = [];
  for (let i = 0; i < counts.location; i++) {
    const created = tick(1);
    locations.push(
      store.insertObject(
        location.id,
        new Map([
          [locName.id, [`Building ${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26) || ''}`]],
          [locCode.id, [`B-${String(i + 1).padStart(5, '0')}`]],
        ]),
        { created, updated: created, validate },
      ),
    );
  }
  locations.forEach((l, i) => {
    // a tree plus one cycle between the first two buildings
    const parent = i < 2 ? locations[1 - i] : locations[Math.floor((i - 1) / 4)];
    if (parent && parent.id !== l.id && locations.length > 1)
      store.setValuesUnchecked(l, locParent.id, [String(parent.id)]);
  });

  const date = (daysBack: number) => new Date(BASE_TIME - daysBack * 86_400_000).toISOString().slice(0, 10);
  const hardwareObjects: ObjRec[] = [];
  const hardwareValues = (prefix: string, i: number): Map<number, string[]> => {
    const v = new Map<number, string[]>([
      [hwName.id, [`${prefix}-${String(i + 1).padStart(5, '0')}`]],
      [hwSerial.id, [`SN-${prefix}-${String(seed).slice(0, 8)}-${i + 1}`]],
      [hwPurchase.id, [date(rng.int(1, 1500))]],
      [hwPrice.id, [`${rng.int(200, 9000)}.${String(rng.int(0, 99)).padStart(2, '0')}`]],
      [hwWarranty.id, [String(rng.pick([12, 24, 36, 48]))]],
      [hwStock.id, [rng.chance(0.2) ? 'true' : 'false']],
      [
        hwStatus.id,
        [
          rng.pick([
            statusId('Active'),
            statusId('Active'),
            statusId('Closed'),
            String(retired.id),
            String(inRepair.id),
          ]),
        ],
      ],
    ]);
    if (locations.length > 0 && rng.chance(0.9)) v.set(hwLocation.id, [String(rng.pick(locations).id)]);
    if (hwOwner && employees.length > 0 && rng.chance(0.8)) v.set(hwOwner.id, [String(rng.pick(employees).id)]);
    if (rng.chance(0.15))
      v.set(hwNotes.id, [`Checked on ${date(rng.int(1, 300))}.\nAll good — "quoted", <b>tags</b> & ünïcödé.`]);
    return v;
  };
  const maybeAvatar = (objectIndexSeed: string): string | undefined => {
    if (!rng.chance(0.05)) return undefined;
    const uuid = seededUuid(seed, 'avatar', objectIndexSeed);
    store.registerAvatar(uuid, seededUuid(seed, 'file', objectIndexSeed), rng.int(0, 255));
    return uuid;
  };
  const addAvatarId = (o: ObjRec) => {
    if (o.avatarUUID) avatarObjectIds.push(String(o.id));
  };
  /** `avatarKey` given: the object may get an avatar (drawn before its update time, as fixtures always did). */
  const insertHardware = (t: TypeRec, v: Map<number, string[]>, created: number, avatarKey?: string) => {
    const avatarUUID = avatarKey === undefined ? undefined : maybeAvatar(avatarKey);
    const o = store.insertObject(t.id, v, {
      created,
      updated: created + rng.int(0, 400) * MINUTE,
      validate,
      ...(avatarUUID ? { avatarUUID } : {}),
    });
    hardwareObjects.push(o);
    addAvatarId(o);
  };

  for (let i = 0; i < counts.server; i++) {
    const created = tick(2);
    const v = hardwareValues('SRV', i);
    v.set(srvIp.id, [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`]);
    v.set(srvHost.id, [`srv-${i + 1}.corp.example.test`]);
    if (rng.chance(0.7)) v.set(srvConsole.id, [`https://console.example.test/servers/${i + 1}`]);
    if (rng.chance(0.5)) v.set(srvGroup.id, [rng.pick(groups)]);
    insertHardware(server, v, created, `srv-${i}`);
  }
  for (let i = 0; i < counts.network; i++) {
    const created = tick(2);
    const v = hardwareValues('NET', i);
    v.set(netIp.id, [`192.168.${(i >> 8) & 255}.${i & 255}`]);
    v.set(netPorts.id, [String(rng.pick([8, 16, 24, 48]))]);
    insertHardware(network, v, created);
  }
  for (let i = 0; i < laptopCount; i++) {
    const created = tick(1);
    const v = hardwareValues('LAP', i);
    v.set(lapRam.id, [String(rng.pick([8, 16, 32, 64]))]);
    v.set(lapOs.id, [rng.pick(['Windows 11', 'macOS', 'Ubuntu', 'Fedora'])]);
    if (rng.chance(0.6))
      v.set(lapSeen.id, [new Date(created + rng.int(1, 90) * 86_400_000 + rng.int(0, 999)).toISOString()]);
    if (rng.chance(0.5)) v.set(lapUser.id, [rng.pick(userAccountIds)]);
    insertHardware(laptop, v, created, `lap-${i}`);
  }
  const softwareObjects: ObjRec[] = [];
  const products = [
    'Office Suite',
    'Browser',
    'Database',
    'Backup Agent',
    'VPN Client',
    'Editor',
    'Monitoring',
    'CRM',
    'Ticketing',
    'Mail',
  ];
  for (let i = 0; i < counts.software; i++) {
    const created = tick(1);
    const v = new Map<number, string[]>([
      [swName.id, [`${products[i % products.length]} ${Math.floor(i / products.length) + 1}`]],
      [swVersion.id, [`${rng.int(1, 20)}.${rng.int(0, 9)}.${rng.int(0, 30)}`]],
      [swLicense.id, [rng.pick(['Commercial', 'Open source', 'Freeware', 'Subscription'])]],
      [swWindow.id, [`${String(rng.int(0, 23)).padStart(2, '0')}:${rng.pick(['00', '15', '30', '45'])}`]],
      [swLifecycle.id, [rng.pick([statusId('Running'), statusId('Stopped'), statusId('Pending')])]],
    ]);
    if (rng.chance(0.8)) v.set(swVendor.id, [`support${i}@vendor.example.test`]);
    if (rng.chance(0.6)) v.set(swHome.id, [`https://vendor.example.test/products/${i + 1}`]);
    if (rng.chance(0.5)) v.set(swResponsible.id, [rng.pick(userAccountIds)]);
    if (hardwareObjects.length > 0) {
      const k = rng.int(1, Math.min(4, hardwareObjects.length));
      const set = new Set<number>();
      while (set.size < k) set.add(rng.pick(hardwareObjects).id);
      v.set(swInstalled.id, [...set].map(String));
    }
    softwareObjects.push(
      store.insertObject(software.id, v, { created, updated: created + rng.int(0, 400) * MINUTE, validate }),
    );
  }
  // multi-valued dependencies with cycles: each item depends on the next one or two (wrapping around)
  softwareObjects.forEach((s, i) => {
    if (softwareObjects.length < 2) return;
    const deps = new Set<number>();
    deps.add(softwareObjects[(i + 1) % softwareObjects.length]?.id ?? s.id);
    if (rng.chance(0.4)) deps.add(softwareObjects[(i + 2) % softwareObjects.length]?.id ?? s.id);
    deps.delete(s.id);
    if (deps.size > 0) store.setValuesUnchecked(s, swDepends.id, [...deps].map(String));
  });

  // ---- history: "created" for every object, plus a few changes with old/new values
  let historyEntries = 0;
  const withHistory = opts.history ?? true;
  const mainTypes = new Set([location.id, laptop.id, server.id, network.id, software.id]);
  for (const id of store.objectIds()) {
    const o = store.object(id);
    if (!o) continue;
    if (o.schemaId !== main.id && o.schemaId !== secondSchemaId) continue;
    const actor = rng.pick(userAccountIds);
    store.addHistory({ objectId: o.id, actor, type: 0, created: o.created });
    historyEntries++;
    if (!withHistory || !mainTypes.has(o.typeId)) continue;
    const changes = rng.int(0, 3);
    const view = store.view(o.typeId);
    const editable = view.attrs.filter((a) => !a.system && a.kind === AttributeKind.Default && o.values.has(a.id));
    for (let c = 0; c < changes && editable.length > 0; c++) {
      const a = rng.pick(editable);
      const current = o.values.get(a.id)?.join(', ') ?? '';
      const at = o.created + Math.floor(((o.updated - o.created) * (c + 1)) / (changes + 1));
      store.addHistory({
        objectId: o.id,
        actor: rng.pick(userAccountIds),
        type: 2,
        affectedAttribute: a.name,
        oldValue: `${current.slice(0, 40)} (old)`,
        newValue: current.slice(0, 60),
        created: at,
      });
      historyEntries++;
    }
    if (o.avatarUUID) {
      store.addHistory({ objectId: o.id, actor, type: 6, affectedAttribute: 'Avatar', created: o.updated });
      historyEntries++;
    }
  }

  // ---- Jira: Assets custom fields and issues pointing at objects
  const issueKeys: string[] = [];
  const field = (name: string) => store.fieldList().find((f) => f.name === name) ?? store.addAssetsField(name);
  const affected = field('Affected assets');
  const employeeField = field('Employee');
  if (!store.fieldList().some((f) => f.name === 'Story points')) store.addPlainCustomField('Story points', 'number');
  if (opts.issues ?? true) {
    const pool = [...hardwareObjects, ...softwareObjects];
    const issueCount = Math.min(2000, Math.max(10, Math.ceil(n / 50)));
    for (let i = 0; i < issueCount && pool.length > 0; i++) {
      const custom: Record<string, unknown> = {};
      if (rng.chance(0.85)) {
        const k = rng.int(1, 3);
        const set = new Set<number>();
        for (let j = 0; j < k; j++) set.add(rng.pick(pool).id);
        custom[affected.id] = [...set].map((id) => store.assetsFieldValue(id));
      }
      if (employees.length > 0 && rng.chance(0.3))
        custom[employeeField.id] = [store.assetsFieldValue(rng.pick(employees).id)];
      const issue = store.addIssue({
        projectKey: 'SUP',
        summary: `${rng.pick(['Replace', 'Repair', 'Install', 'Upgrade', 'Check'])} ${rng.pick(['docking station', 'license', 'disk', 'RAM', 'VPN access'])} #${i + 1}`,
        status: rng.pick(['Open', 'In Progress', 'Waiting for support', 'Done']),
        created: BASE_TIME + i * 90 * MINUTE,
        custom,
      });
      issueKeys.push(issue.key);
    }
  }

  let systemSchemaId: number | undefined;
  if (opts.systemSchema && !store.schemaList().some((s) => s.key === 'SVC')) {
    const svc = store.createSchema(
      { name: 'Services', objectSchemaKey: 'SVC', description: 'JSM service registry' },
      { canManage: false },
    );
    const service = mkType(svc.id, 'Service', 'Service');
    const label = labelOf(service);
    for (let i = 0; i < 3; i++) {
      const created = tick(1);
      store.insertObject(service.id, new Map([[label.id, [`Service ${i + 1}`]]]), {
        created,
        updated: created,
        validate,
      });
    }
    systemSchemaId = svc.id;
  }

  return {
    schemaId: String(main.id),
    ...(secondSchemaId !== undefined ? { secondSchemaId: String(secondSchemaId) } : {}),
    ...(systemSchemaId !== undefined ? { systemSchemaId: String(systemSchemaId) } : {}),
    objectTypeIds,
    attributeIds,
    objectCount: store.schemaObjectCount(main.id),
    secondSchemaObjectCount: secondSchemaId !== undefined ? store.schemaObjectCount(secondSchemaId) : 0,
    historyEntries,
    issueKeys,
    assetsFieldIds: [affected.id, employeeField.id],
    userAccountIds,
    avatarObjectIds,
    customIcons,
  };
}
