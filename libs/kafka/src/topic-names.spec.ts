import { topicNames } from './topic-names';

describe('topicNames', () => {
  it('names the five contract topics after the default prefix', () => {
    expect(topicNames('vinsight.')).toEqual({
      commands: 'vinsight.commands',
      commandResults: 'vinsight.command-results',
      events: 'vinsight.events',
      checkEvents: 'vinsight.check-events',
      commandsDlq: 'vinsight.commands.dlq',
    });
  });

  it('uses the prefix exactly as given, adding no separator', () => {
    expect(topicNames('staging-').commands).toBe('staging-commands');
    expect(topicNames('').commandsDlq).toBe('commands.dlq');
  });

  it('gives five distinct names', () => {
    const names = Object.values(topicNames('x.'));
    expect(names).toHaveLength(5);
    expect(new Set(names).size).toBe(5);
  });

  it.each(['vinsight/', 'with space.', 'ünicode.', 'a:b.'])('rejects the illegal prefix %j', (prefix) => {
    expect(() => topicNames(prefix)).toThrow(/may contain only/);
  });

  it('rejects a prefix that would make a name longer than Kafka allows', () => {
    const longest = 'x'.repeat(249 - 'command-results'.length);
    expect(topicNames(longest).commandResults).toHaveLength(249);
    expect(() => topicNames(`${longest}x`)).toThrow(/too long/);
  });
});
