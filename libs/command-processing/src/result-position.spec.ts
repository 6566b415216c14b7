import { resultPosition } from './result-position';

const topics = { events: 't.events', checkEvents: 't.check-events' };

describe('resultPosition', () => {
  const committedNext = new Map([
    [topics.events, 41n],
    [topics.checkEvents, 8n],
  ]);

  it('names the last record the slice wrote on a topic, up to and including the command', () => {
    const bases = new Map([
      [topics.events, 41n],
      [topics.checkEvents, 8n],
    ]);
    expect(resultPosition({ partition: 2, topics, bases, committedNext }, { events: 3, checks: 1 })).toEqual({
      partition: 2,
      eventsOffset: '43',
      checkEventsOffset: '8',
    });
  });

  it('falls back to the committed end (the last marker) for a topic the slice has not written yet', () => {
    const bases = new Map([[topics.checkEvents, 8n]]);
    expect(resultPosition({ partition: 2, topics, bases, committedNext }, { events: 0, checks: 2 })).toEqual({
      partition: 2,
      eventsOffset: '40',
      checkEventsOffset: '9',
    });
  });

  it('gives a command that wrote nothing the position of everything before it', () => {
    expect(resultPosition({ partition: 5, topics, bases: new Map(), committedNext }, { events: 0, checks: 0 })).toEqual({
      partition: 5,
      eventsOffset: '40',
      checkEventsOffset: '7',
    });
  });

  it('leaves out a topic never written on the partition', () => {
    expect(resultPosition({ partition: 0, topics, bases: new Map(), committedNext: new Map() }, { events: 0, checks: 0 })).toEqual({
      partition: 0,
    });
    expect(
      resultPosition({ partition: 0, topics, bases: new Map(), committedNext: new Map([[topics.events, 0n]]) }, { events: 0, checks: 0 }),
    ).toEqual({
      partition: 0,
    });
  });

  it('grows along a slice and across slices', () => {
    const bases = new Map([[topics.events, 41n]]);
    const slice = [0, 1, 1, 2, 2].map((events) => resultPosition({ partition: 1, topics, bases, committedNext }, { events, checks: 0 }));
    // The next slice starts after this one's marker (41 + 2 records + 1).
    const next = resultPosition(
      { partition: 1, topics, bases: new Map(), committedNext: new Map([[topics.events, 44n]]) },
      { events: 0, checks: 0 },
    );
    const offsets = [...slice, next].map((p) => Number(p.eventsOffset));
    expect(offsets).toEqual([40, 41, 41, 42, 42, 43]);
  });

  it('refuses to position records whose base offset is unknown', () => {
    expect(() => resultPosition({ partition: 1, topics, bases: new Map(), committedNext }, { events: 1, checks: 0 })).toThrow(
      'no base offset for t.events',
    );
  });
});
