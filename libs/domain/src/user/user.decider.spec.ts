import { spec } from '../testing/decider-specification';
import { BCRYPT_HASH, commands, events, testEmailHashOf } from '../testing/domain-factories';
import { FIXED_NOW } from '../testing/fixed-clock';
import { newId } from '../testing/test-ids';

describe('user decider', () => {
  const tenantId = newId();
  const meta = { tenantId };
  const created = events.tenantCreated({ tenantId });

  const registered = (overrides: Parameters<typeof events.userRegistered>[0] = {}) => events.userRegistered(overrides);

  describe('RegisterUser', () => {
    it('registers a user at version 1', () => {
      const userId = newId();
      const decision = spec([created])
        .when(commands.registerUser({ userId, email: 'Ada@Example.com', role: 'owner' }, meta))
        .then([
          {
            type: 'UserRegistered',
            data: {
              userId,
              role: 'owner',
              emailHash: testEmailHashOf('ada@example.com'),
              personal: { email: 'Ada@Example.com', passwordHash: BCRYPT_HASH },
            },
          },
        ]);
      expect(decision).toMatchObject({ aggregateType: 'user', aggregateId: userId, version: 1 });
    });

    it('rejects an email already used in the tenant, case-insensitively, with ALREADY_EXISTS', () => {
      const error = spec([created, registered({ email: 'ada@example.com' })])
        .when(commands.registerUser({ email: 'ADA@example.COM' }, meta))
        .thenFails('ALREADY_EXISTS', 'payload.email');
      // Results outlive commands: the answer does not repeat the address.
      expect(JSON.stringify(error)).not.toMatch(/ada@example/i);
    });

    it('decides uniqueness on the email hash alone: a user known only by its hash still holds the email', () => {
      const ada = registered({ email: 'ada@example.com' });
      const sealed = { ...ada, data: { ...ada.data, personal: null } };
      spec([created, sealed])
        .when(commands.registerUser({ email: 'Ada@example.com' }, meta))
        .thenFails('ALREADY_EXISTS');
    });

    it('frees the email of an erased user', () => {
      const ada = registered({ email: 'ada@example.com' });
      const newAda = newId();
      spec([created, ada, events.userErased({ userId: ada.data.userId })])
        .when(commands.registerUser({ userId: newAda, email: 'ada@example.com' }, meta))
        .then([events.userRegistered({ userId: newAda, email: 'ada@example.com' })]);
    });

    it('lets a deactivated user keep the email, but frees it when the user is removed', () => {
      const ada = registered({ email: 'ada@example.com' });
      const { userId } = ada.data;
      spec([created, ada, events.userDeactivated({ userId })])
        .when(commands.registerUser({ email: 'ada@example.com' }, meta))
        .thenFails('ALREADY_EXISTS');
      const newAda = newId();
      spec([created, ada, events.userRemoved({ userId })])
        .when(commands.registerUser({ userId: newAda, email: 'ada@example.com' }, meta))
        .then([events.userRegistered({ userId: newAda, email: 'ada@example.com' })]);
    });

    it('rejects an id that is taken, even by a removed user, with ALREADY_EXISTS', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created, ada]).when(commands.registerUser({ userId }, meta)).thenFails('ALREADY_EXISTS', 'payload.userId');
      spec([created, ada, events.userRemoved({ userId })])
        .when(commands.registerUser({ userId, email: 'other@example.com' }, meta))
        .thenFails('ALREADY_EXISTS');
    });

    it('rejects with NOT_FOUND without a tenant and TENANT_INACTIVE for an inactive one', () => {
      spec([]).when(commands.registerUser({}, meta)).thenFails('NOT_FOUND', 'tenantId');
      spec([created, events.tenantDeactivated()]).when(commands.registerUser({}, meta)).thenFails('TENANT_INACTIVE');
      spec([created, events.tenantDeleted()]).when(commands.registerUser({}, meta)).thenFails('TENANT_INACTIVE');
    });

    it('rejects expectedVersion 0 for an existing user with CONFLICT', () => {
      const ada = registered();
      spec([created, ada])
        .when(commands.registerUser({ userId: ada.data.userId }, { ...meta, expectedVersion: 0 }))
        .thenFails('CONFLICT');
    });
  });

  describe('ChangeUserRole', () => {
    it('changes the role, remembering the previous one', () => {
      const ada = registered({ role: 'user' });
      const { userId } = ada.data;
      const decision = spec([created, ada])
        .when(commands.changeUserRole({ userId, role: 'admin' }, meta))
        .then([{ type: 'UserRoleChanged', data: { userId, role: 'admin', previousRole: 'user' } }]);
      expect(decision.version).toBe(2);
    });

    it('rejects the role the user already has with INVALID_STATE', () => {
      const ada = registered({ role: 'admin' });
      spec([created, ada])
        .when(commands.changeUserRole({ userId: ada.data.userId, role: 'admin' }, meta))
        .thenFails('INVALID_STATE');
    });

    it('rejects unknown and removed users with NOT_FOUND', () => {
      const ada = registered();
      spec([created]).when(commands.changeUserRole({}, meta)).thenFails('NOT_FOUND', 'payload.userId');
      spec([created, ada, events.userRemoved({ userId: ada.data.userId })])
        .when(commands.changeUserRole({ userId: ada.data.userId }, meta))
        .thenFails('NOT_FOUND');
    });

    it('rejects a stale expectedVersion with CONFLICT', () => {
      const ada = registered();
      spec([created, ada])
        .when(commands.changeUserRole({ userId: ada.data.userId }, { ...meta, expectedVersion: 3 }))
        .thenFails('CONFLICT');
    });

    it('rejects an inactive tenant with TENANT_INACTIVE', () => {
      const ada = registered();
      spec([created, ada, events.tenantDeactivated()])
        .when(commands.changeUserRole({ userId: ada.data.userId }, meta))
        .thenFails('TENANT_INACTIVE');
    });
  });

  describe('DeactivateUser and ReactivateUser', () => {
    it('deactivates an active user and reactivates a deactivated one', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created, ada])
        .when(commands.deactivateUser({ userId }, meta))
        .then([events.userDeactivated({ userId })]);
      spec([created, ada, events.userDeactivated({ userId })])
        .when(commands.reactivateUser({ userId }, meta))
        .then([events.userReactivated({ userId })]);
    });

    it('rejects transitions that change nothing with INVALID_STATE', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created, ada, events.userDeactivated({ userId })])
        .when(commands.deactivateUser({ userId }, meta))
        .thenFails('INVALID_STATE');
      spec([created, ada]).when(commands.reactivateUser({ userId }, meta)).thenFails('INVALID_STATE');
    });

    it('rejects unknown and removed users with NOT_FOUND', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created]).when(commands.deactivateUser({}, meta)).thenFails('NOT_FOUND');
      spec([created]).when(commands.reactivateUser({}, meta)).thenFails('NOT_FOUND');
      spec([created, ada, events.userRemoved({ userId })])
        .when(commands.reactivateUser({ userId }, meta))
        .thenFails('NOT_FOUND');
    });

    it('rejects an inactive tenant with TENANT_INACTIVE', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created, ada, events.tenantDeleted()]).when(commands.deactivateUser({ userId }, meta)).thenFails('TENANT_INACTIVE');
      spec([created, ada, events.userDeactivated({ userId }), events.tenantDeactivated()])
        .when(commands.reactivateUser({ userId }, meta))
        .thenFails('TENANT_INACTIVE');
    });
  });

  describe('RecordUserLogin', () => {
    it('records the login time', () => {
      const ada = registered();
      const { userId } = ada.data;
      const decision = spec([created, ada])
        .when(commands.recordUserLogin({ userId, at: FIXED_NOW }, meta))
        .then([{ type: 'UserLoggedIn', data: { userId, at: FIXED_NOW } }]);
      expect(decision.version).toBe(2);
    });

    it('rejects a deactivated user with INVALID_STATE', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created, ada, events.userDeactivated({ userId })])
        .when(commands.recordUserLogin({ userId }, meta))
        .thenFails('INVALID_STATE');
    });

    it('rejects unknown users with NOT_FOUND and inactive tenants with TENANT_INACTIVE', () => {
      const ada = registered();
      spec([created]).when(commands.recordUserLogin({}, meta)).thenFails('NOT_FOUND');
      spec([created, ada, events.tenantDeactivated()])
        .when(commands.recordUserLogin({ userId: ada.data.userId }, meta))
        .thenFails('TENANT_INACTIVE');
    });
  });

  describe('RemoveUser', () => {
    it('soft-deletes active and deactivated users', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created, ada])
        .when(commands.removeUser({ userId }, meta))
        .then([events.userRemoved({ userId })]);
      spec([created, ada, events.userDeactivated({ userId })])
        .when(commands.removeUser({ userId }, meta))
        .then([events.userRemoved({ userId })]);
    });

    it('rejects unknown and already removed users with NOT_FOUND', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created]).when(commands.removeUser({}, meta)).thenFails('NOT_FOUND');
      spec([created, ada, events.userRemoved({ userId })])
        .when(commands.removeUser({ userId }, meta))
        .thenFails('NOT_FOUND');
    });

    it('rejects an inactive tenant with TENANT_INACTIVE', () => {
      const ada = registered();
      spec([created, ada, events.tenantDeactivated()])
        .when(commands.removeUser({ userId: ada.data.userId }, meta))
        .thenFails('TENANT_INACTIVE');
    });
  });

  describe('EraseUser', () => {
    it('erases active, deactivated and removed users', () => {
      const ada = registered();
      const { userId } = ada.data;
      const decision = spec([created, ada])
        .when(commands.eraseUser({ userId }, meta))
        .then([events.userErased({ userId })]);
      expect(decision.version).toBe(2);
      spec([created, ada, events.userDeactivated({ userId })])
        .when(commands.eraseUser({ userId }, meta))
        .then([events.userErased({ userId })]);
      spec([created, ada, events.userRemoved({ userId })])
        .when(commands.eraseUser({ userId }, meta))
        .then([events.userErased({ userId })]);
    });

    it('accepts a second EraseUser of the same user and changes nothing', () => {
      const ada = registered();
      const { userId } = ada.data;
      const decision = spec([created, ada, events.userErased({ userId })])
        .when(commands.eraseUser({ userId }, meta))
        .thenNothingHappens();
      expect(decision).toMatchObject({ aggregateType: 'user', aggregateId: userId, version: 2 });
    });

    it('rejects an unknown user with NOT_FOUND', () => {
      spec([created]).when(commands.eraseUser({}, meta)).thenFails('NOT_FOUND', 'payload.userId');
      spec([]).when(commands.eraseUser({}, meta)).thenFails('NOT_FOUND', 'tenantId');
    });

    it('erases in a deactivated or deleted tenant: the right to erasure outlives the tenant', () => {
      const ada = registered();
      const { userId } = ada.data;
      spec([created, ada, events.tenantDeactivated()])
        .when(commands.eraseUser({ userId }, meta))
        .then([events.userErased({ userId })]);
      spec([created, ada, events.tenantDeleted()])
        .when(commands.eraseUser({ userId }, meta))
        .then([events.userErased({ userId })]);
    });

    it('leaves an erased user NOT_FOUND to every other command, and its id taken', () => {
      const ada = registered();
      const { userId } = ada.data;
      const given = [created, ada, events.userErased({ userId })];
      spec(given).when(commands.changeUserRole({ userId }, meta)).thenFails('NOT_FOUND');
      spec(given).when(commands.removeUser({ userId }, meta)).thenFails('NOT_FOUND');
      spec(given).when(commands.recordUserLogin({ userId }, meta)).thenFails('NOT_FOUND');
      spec(given).when(commands.registerUser({ userId }, meta)).thenFails('ALREADY_EXISTS', 'payload.userId');
    });
  });
});
