import { COMMAND_TYPES } from '@vinsight/domain';
import { commandTypeLabel } from './command-type-label';

describe('commandTypeLabel', () => {
  it('labels every known command type by its name', () => {
    for (const type of COMMAND_TYPES) expect(commandTypeLabel(type)).toBe(type);
  });

  it('labels anything else "unknown", so made-up types add no series', () => {
    const made = ['CreateMonitorr', '', 'x'.repeat(10000), '__proto__', 'constructor', 'unknown'];
    expect(new Set(made.map(commandTypeLabel))).toEqual(new Set(['unknown']));
  });
});
