import { spec } from '../testing/decider-specification';
import { commands, events } from '../testing/domain-factories';
import { newId } from '../testing/test-ids';

describe('text fields, decided by the domain too', () => {
  const tenantId = newId();
  const meta = { tenantId };
  const created = events.tenantCreated({ tenantId, plan: 'enterprise' });

  it('refuses a monitor name holding a NUL, however the command was built', () => {
    spec([created])
      .when(commands.createMonitor({ name: 'nul \u0000 inside' }, meta))
      .thenFails('VALIDATION_FAILED', 'payload.name');
  });

  it('refuses a lone surrogate in a URL and a bidi override in a tenant name', () => {
    spec([created])
      .when(commands.createMonitor({ url: 'https://example.com/\ud800' }, meta))
      .thenFails('VALIDATION_FAILED', 'payload.url');
    spec([created])
      .when(commands.renameTenant({ name: 'evil\u202eexe' }, meta))
      .thenFails('VALIDATION_FAILED', 'payload.name');
  });

  it('allows line breaks in a check message but not an escape character in its region', () => {
    const monitor = events.monitorCreated();
    const { monitorId } = monitor.data;
    const given = spec([created, monitor]);
    expect(given.when(commands.recordCheckResult({ monitorId, errorMessage: 'HTTP 500\r\n\tat line 1' }, meta)).decision.ok).toBe(true);
    given.when(commands.recordCheckResult({ monitorId, region: 'eu\u001b[31m' }, meta)).thenFails('VALIDATION_FAILED', 'payload.region');
  });

  it('refuses text that is not in NFC: the wire normalises it, a command built elsewhere must too', () => {
    spec([created])
      .when(commands.createMonitor({ name: 'Cafe\u0301' }, meta))
      .thenFails('VALIDATION_FAILED', 'payload.name');
    expect(spec([created]).when(commands.createMonitor({ name: 'Caf\u00e9' }, meta)).decision.ok).toBe(true);
  });

  it('refuses an issuedBy with a control character', () => {
    spec([created])
      .when(commands.renameTenant({ name: 'Fine' }, { ...meta, issuedBy: 'ops\u0007' }))
      .thenFails('VALIDATION_FAILED', 'issuedBy');
  });
});
