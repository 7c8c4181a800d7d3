import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownFleet } from '../../src/core/commands/ownFleet';

const acme = { id: 'fleet-acme', name: 'acme-prod', relay: 'relay.acme.example:443' };
const partner = { id: 'fleet-partner', name: 'fleet-acme', relay: 'relay.partner.example:443' };

describe('a fleet named in a command argument', () => {
  it('is found by id only: a fleet whose name equals another fleet id is never picked for it', () => {
    assert.equal(ownFleet([partner, acme], 'fleet-acme'), acme);
    assert.equal(ownFleet([partner], 'fleet-acme'), undefined);
    assert.equal(ownFleet([acme], 'acme-prod'), undefined, 'a name is not an id');
  });

  it('is our own record of the fleet, not the object handed in', () => {
    const forged = { id: 'fleet-acme', relay: '127.0.0.1:9999' };
    assert.equal(ownFleet([acme], forged.id)?.relay, 'relay.acme.example:443');
  });

  it('is nothing for an argument that is not a non-empty string', () => {
    for (const bad of [undefined, null, '', 42, { id: 'fleet-acme' }]) assert.equal(ownFleet([acme], bad), undefined);
  });
});
