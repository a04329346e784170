import { loadBridgeConfig } from '../../src/settings/file/load';
import { ConfigError } from '../../src/common/config-error';
import {
  createEventMapper,
  DEFAULT_MAPPING,
  MappingError,
  rowChanges,
  type EventMapper,
} from '../../src/mapping/mapper';
import type { HasuraOp, Row } from '../../src/contract';
import { eventFor } from '../fixtures/config/events';
import { configDir } from '../fixtures/config/write-config';

const CONFIG = `
targets:
  sn: { type: servicenow, instance_url: https://x.service-now.com, auth: { type: basic, username: u, password: { env: SN_PASSWORD } } }
lookups:
  severity_to_urgency: { critical: "1", high: "1", medium: "2", low: "3" }
defaults:
  fields:
    short_description: "{{ row.title | truncate: 20 }}"
    description: "{{ row.description | default: 'none' }} ({{ op }} {{ row_key }})"
    urgency: "{{ row.priority | lookup: 'severity_to_urgency' | default: '3' }}"
    opened_at: "{{ row.created_at | servicenow_datetime }}"
  resolve_fields: { close_notes: "Row deleted in {{ table.name }}" }
  work_note: "{% for c in changes %}{{ c.field }}: {{ c.from }} -> {{ c.to }}; {% endfor %}"
triggers:
  sized:
    row_key: [tenant, id]
    fields: { short_description: "{{ row.title }}", who: "{{ session['x-hasura-role'] | default: 'event' }}" }
    update_fields: { short_description: "now {{ row.title }} (was {{ old.title }})" }
  by_ticket:
    fields: { note: "{{ ticket.number }} / {{ row.title }}" }
`;

const files = configDir();
let mapper: EventMapper;

beforeAll(() => {
  const config = loadBridgeConfig({ env: { SN_PASSWORD: 'p' }, path: files.write('bridge.yaml', CONFIG) });
  mapper = createEventMapper(config);
});

afterAll(() => files.remove());

describe('mapping per op', () => {
  const row: Row = {
    id: 7,
    title: 'Printer on fire',
    description: 'Third floor',
    priority: 'critical',
    created_at: '2026-11-27T09:14:03.512844',
  };
  const cases: { op: HasuraOp; rows: { old?: Row | null; new?: Row | null }; expected: Record<string, string> }[] = [
    {
      op: 'INSERT',
      rows: { new: row },
      expected: {
        short_description: 'Printer on fire',
        description: 'Third floor (INSERT 7)',
        urgency: '1',
        opened_at: '2026-11-27 09:14:03',
      },
    },
    {
      op: 'UPDATE',
      rows: { old: { ...row, priority: 'low' }, new: { ...row, priority: 'medium' } },
      expected: { urgency: '2', description: 'Third floor (UPDATE 7)' },
    },
    {
      op: 'DELETE',
      rows: { old: { ...row, priority: 'low' }, new: null },
      expected: { urgency: '3', description: 'Third floor (DELETE 7)' },
    },
    {
      op: 'MANUAL',
      rows: { new: { id: 8, title: 'Manual' } },
      expected: { description: 'none (MANUAL 8)', urgency: '3', opened_at: '' },
    },
  ];

  it.each(cases)(
    'when a $op event is mapped, then the fields come from the right row image',
    async ({ op, rows, expected }) => {
      const mapped = await mapper.map(eventFor(op, rows));

      expect(mapped.fields).toMatchObject(expected);
    },
  );

  it('when the priority is not in the lookup table, then the default applies', async () => {
    const mapped = await mapper.map(eventFor('INSERT', { new: { ...row, priority: 'weird' } }));

    expect(mapped.fields.urgency).toBe('3');
  });

  it('when the trigger has its own row_key and fields, then they replace the defaults', async () => {
    const mapped = await mapper.map(eventFor('MANUAL', { new: { tenant: 'acme', id: 3, title: 'T' } }, 'sized'));

    expect(mapped).toEqual({ rowKey: 'acme/3', fields: { short_description: 'T', who: 'admin' } });
  });

  it('when update fields are asked for, then the update set renders with old and new', async () => {
    const event = eventFor('UPDATE', { old: { id: 1, title: 'A' }, new: { id: 1, title: 'B' } }, 'sized');

    await expect(mapper.fields(event, 'updateFields')).resolves.toEqual({ short_description: 'now B (was A)' });
    await expect(mapper.fields(event, 'resolveFields')).resolves.toEqual({
      close_notes: 'Row deleted in incident_request',
    });
  });

  it('when a work note is rendered for an UPDATE, then it lists exactly the changed columns', async () => {
    const event = eventFor('UPDATE', {
      old: { id: 1, title: 'A', tags: ['x'], gone: 1 },
      new: { id: 1, title: 'B', tags: ['y'], added: null },
    });

    expect(rowChanges(event).map((change) => change.field)).toEqual(['title', 'tags', 'gone']);
    await expect(mapper.workNote(event)).resolves.toBe('title: A -> B; tags: ["x"] -> ["y"]; gone: 1 -> ;');
  });

  it('when the caller passes scope extras, then templates can use them but not shadow the row', async () => {
    const event = eventFor('INSERT', { new: { id: 1, title: 'Real' } }, 'by_ticket');

    const fields = await mapper.fields(event, 'fields', { ticket: { number: 'INC001' }, row: { title: 'Fake' } });

    expect(fields.note).toBe('INC001 / Real');
  });
});

describe('hostile row values are data', () => {
  const hostile: { name: string; title: string; expected: string }[] = [
    {
      name: 'template syntax',
      title: "{{ 7 | times: 6 }}{% assign x = 'y' %}",
      expected: "{{ 7 | times: 6 }}{% assign x = 'y' %}",
    },
    { name: 'HTML and script', title: '<script>alert(1)</script>&amp;', expected: '<script>alert(1)</script>&amp;' },
    { name: 'unicode', title: 'Störung 🔥 火事 \u202e', expected: 'Störung 🔥 火事 \u202e' },
  ];

  it.each(hostile)('when a row value holds $name, then it comes out literally', async ({ title, expected }) => {
    const mapped = await mapper.map(eventFor('INSERT', { new: { id: 1, title } }, 'sized'));

    expect(mapped.fields.short_description).toBe(expected);
  });

  it('when a row value is 1 MB, then it is truncated where the template says so', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const mapped = await mapper.map(eventFor('INSERT', { new: { id: 1, title: huge, description: huge } }));

    expect(mapped.fields.short_description).toBe(`${'x'.repeat(17)}...`);
    expect(mapped.fields.description).toHaveLength(huge.length + ' (INSERT 1)'.length);
  });

  it('when a template prints a value that looks like a template, then it is not evaluated twice', async () => {
    const mapped = await mapper.map(
      eventFor('INSERT', { new: { id: 1, title: 'x', description: '{{ row.priority }}' } }),
    );

    expect(mapped.fields.description).toBe('{{ row.priority }} (INSERT 1)');
  });
});

describe('render failures', () => {
  it('when a date cannot be parsed, then a MappingError names the field and its template', async () => {
    const failure = mapper.map(eventFor('INSERT', { new: { id: 1, title: 't', created_at: 'yesterday-ish' } }));

    await expect(failure).rejects.toThrow(MappingError);
    await expect(failure).rejects.toMatchObject({
      field: 'opened_at',
      template: '{{ row.created_at | servicenow_datetime }}',
    });
    await expect(failure).rejects.toThrow(
      /trigger create_incident, field opened_at \(template "\{\{ row.created_at \| servicenow_datetime \}\}"\): .*not a date/,
    );
  });

  it('when a hand-built config holds a broken template, then creating the mapper fails with a ConfigError', () => {
    const broken = {
      ...DEFAULT_MAPPING,
      triggers: { t: { ...DEFAULT_MAPPING.defaults, fields: { a: '{{ row.a | nope }}' } } },
    };

    expect(() => createEventMapper(broken)).toThrow(ConfigError);
    expect(() => createEventMapper(broken)).toThrow(/triggers\.t\.fields\.a: template error: undefined filter: nope/);
  });

  it('when no config file exists, then the built-in mapping gives the historical fields', async () => {
    const mapped = await createEventMapper(DEFAULT_MAPPING).map(eventFor('INSERT'));

    expect(mapped.fields.short_description).toBe('incident_request insert: Printer on fire');
    expect(mapped.fields.description).toContain('Hasura INSERT on public.incident_request (trigger create_incident');
  });
});
