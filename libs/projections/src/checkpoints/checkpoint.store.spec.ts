import { ProjectionTarget } from '../projection-target';
import { CheckpointStore } from './checkpoint.store';

describe('CheckpointStore statements with literal values', () => {
  const live = new CheckpointStore(ProjectionTarget.live());

  it('quotes the topic as a string literal, however it is spelled', () => {
    const statement = live.lockStatement("vinsight.it's-events", 3);
    expect(statement).toContain("topic = 'vinsight.it''s-events'");
    expect(statement).toContain('partition = 3');
    expect(statement).toMatch(/FOR UPDATE$/);
  });

  it('moves the checkpoint only forward, to the offset given', () => {
    const statement = live.advanceStatement('vinsight.check-events', 11, 12345678901234n);
    expect(statement).toContain('SET next_offset = 12345678901234');
    expect(statement).toContain('AND next_offset < 12345678901234');
    // the live target tells the read API in the same statement
    expect(statement).toContain('pg_notify');
    expect(new CheckpointStore(ProjectionTarget.build('projection_build_20261204')).advanceStatement('t', 0, 1n)).not.toContain(
      'pg_notify',
    );
  });

  it('refuses a partition that is not a non-negative integer', () => {
    expect(() => live.lockStatement('t', -1)).toThrow('not a partition number');
    expect(() => live.advanceStatement('t', 1.5, 1n)).toThrow('not a partition number');
  });
});

describe('ProjectionTarget.partitionLockStatement', () => {
  it('names the target in the lock key, so the live models and a build never wait for each other', () => {
    expect(ProjectionTarget.live().partitionLockStatement(7)).toMatch(/^SELECT pg_advisory_xact_lock\(hashtext\('[^']+:public'\), 7\)$/);
    expect(ProjectionTarget.build('projection_build_x').partitionLockStatement(7)).toContain(":projection_build_x'), 7)");
    expect(() => ProjectionTarget.live().partitionLockStatement(-2)).toThrow('not a partition number');
  });
});
