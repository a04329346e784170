import { INCIDENT_DEFAULTS, type JournalField } from './incident-schema';

/** A stored record as the database holds it: every value a string, references as bare sys_ids. */
export type SimRecord = Record<string, string>;

/** One sys_journal_field row: work notes and comments live here, not on the record. */
export interface JournalEntry {
  element: JournalField;
  value: string;
  sys_created_on: string;
  sys_created_by: string;
}

export interface StoredRecord {
  fields: SimRecord;
  journal: JournalEntry[];
}

export type TableSeeds = Record<string, () => SimRecord[]>;

const FIRST_INCIDENT_NUMBER = 10001;
const SYSTEM_FIELDS = [
  'sys_id',
  'sys_class_name',
  'sys_created_on',
  'sys_created_by',
  'sys_updated_on',
  'sys_updated_by',
  'sys_mod_count',
];

/** The in-memory tables, in insertion order (which is the order of an unsorted list read). */
export class RecordStore {
  private readonly tables = new Map<string, Map<string, StoredRecord>>();
  /** Read ACLs: sys_id -> the users who may not read it (a real instance's ACLs, reduced to a deny list). */
  private readonly readDenied = new Map<string, Set<string>>();
  private nextNumber = FIRST_INCIDENT_NUMBER;

  constructor(
    private readonly tableNames: readonly string[],
    private readonly seeds: TableSeeds,
  ) {
    this.clear();
  }

  /** Drops every record, re-seeds the directory tables and restarts numbering at INC0010001. */
  clear(): void {
    this.nextNumber = FIRST_INCIDENT_NUMBER;
    this.readDenied.clear();
    for (const table of this.tableNames) {
      const rows = (this.seeds[table]?.() ?? []).map((fields): [string, StoredRecord] => [
        fields.sys_id,
        { fields, journal: [] },
      ]);
      this.tables.set(table, new Map(rows));
    }
  }

  denyRead(sysId: string, username: string): void {
    this.readDenied.set(sysId, new Set([...(this.readDenied.get(sysId) ?? []), username]));
  }

  mayRead(sysId: string, username = ''): boolean {
    return !this.readDenied.get(sysId)?.has(username);
  }

  hasTable(table: string): boolean {
    return this.tables.has(table);
  }

  stored(table: string): StoredRecord[] {
    return [...(this.tables.get(table)?.values() ?? [])];
  }

  records(table: string): SimRecord[] {
    return this.stored(table).map((entry) => entry.fields);
  }

  get(table: string, sysId: string): StoredRecord | undefined {
    return this.tables.get(table)?.get(sysId);
  }

  put(table: string, entry: StoredRecord): void {
    this.tableRows(table).set(entry.fields.sys_id, entry);
  }

  delete(table: string, sysId: string): boolean {
    return this.tableRows(table).delete(sysId);
  }

  nextIncidentNumber(): string {
    const number = this.nextNumber;
    this.nextNumber += 1;
    return `INC${String(number).padStart(7, '0')}`;
  }

  /** Columns a table has: the incident dictionary, or whatever has been written to a free-form table. */
  isKnownField(table: string, field: string): boolean {
    if (table === 'incident') return field in INCIDENT_DEFAULTS;
    if (SYSTEM_FIELDS.includes(field)) return true;
    return this.records(table).some((record) => field in record);
  }

  private tableRows(table: string): Map<string, StoredRecord> {
    const rows = this.tables.get(table);
    if (!rows) throw new Error(`simulator has no table ${table}`);
    return rows;
  }
}
