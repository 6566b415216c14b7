import { monitorByIdStatement, monitorsPageStatement } from './monitors.statements';

const TENANT = '6f1c2b8e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';
const MONITOR = '0b9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f';
const NOW = new Date('2026-12-04T10:00:00.000Z');

describe('monitors statements', () => {
  it('reads one monitor with the tenant, the instant and the id as parameters, never in the text', () => {
    const { statement, literals } = monitorByIdStatement(TENANT, MONITOR, NOW);
    expect(statement.name).toBe('monitor_by_id_0');
    expect(statement.types).toEqual(['uuid', 'timestamptz', 'uuid']);
    expect(literals).toEqual([`'${TENANT}'::uuid`, `'2026-12-04T10:00:00.000Z'::timestamptz`, `'${MONITOR}'::uuid`]);
    expect(statement.text).toContain('WHERE tenant_id = $1 AND id = $3 AND deleted_at IS NULL');
    expect(statement.text).toContain('w.tenant_id = $1 AND w.cancelled_at IS NULL AND w.starts_at <= $2');
    expect(statement.text).not.toContain(TENANT);
  });

  it('names a page of monitors after the filters it has, so the text is the same for any values', () => {
    const first = monitorsPageStatement(TENANT, { limit: 50 }, undefined, NOW);
    expect(first.statement.name).toBe('monitors_page_0');
    expect(first.literals.at(-1)).toBe('51');
    const filtered = monitorsPageStatement(TENANT, { limit: 10, status: 'down', q: "50%_o'k" }, undefined, NOW);
    expect(filtered.statement.name).toBe('monitors_page_5');
    expect(filtered.statement.types).toEqual(['uuid', 'timestamptz', 'text', 'text', 'int']);
    expect(filtered.literals.slice(2)).toEqual([`'down'`, String.raw` E'%50\\%\\_o''k%'`, '11']);
    const other = monitorsPageStatement(TENANT, { limit: 10, status: 'up', q: 'x' }, undefined, NOW);
    expect(other.statement).toEqual(filtered.statement);
    const next = monitorsPageStatement(TENANT, { limit: 10, active: false }, { at: NOW, id: MONITOR }, NOW);
    expect(next.statement.name).toBe('monitors_page_10');
    expect(next.statement.text).toContain('is_active = $3 AND (created_at, id) > ($4, $5) ORDER BY created_at, id LIMIT $6');
  });

  it('refuses a value of the wrong shape before it reaches SQL', () => {
    expect(() => monitorByIdStatement(TENANT, "x' OR '1'='1", NOW)).toThrow('not a canonical UUID');
  });
});
