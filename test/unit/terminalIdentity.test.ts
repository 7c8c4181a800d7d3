import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLEET_COLORS, fleetColor, terminalName } from '../../src/core/relay/terminalIdentity';

describe('terminal identity', () => {
  it('names a terminal after the machine and its fleet', () => {
    assert.equal(terminalName({ name: 'web-1', hostname: 'web-1.acme.internal' }, 'Acme Production'), 'CMDOP: web-1 (Acme Production)');
    assert.equal(terminalName({ name: '', hostname: 'db-1' }, 'Acme Staging'), 'CMDOP: db-1 (Acme Staging)');
  });

  it('gives a fleet the same colour every time, and spreads fleets over the palette', () => {
    assert.equal(fleetColor('acme-prod'), fleetColor('acme-prod'));
    const used = new Set(Array.from({ length: 40 }, (_, i) => fleetColor(`fleet-${i}`)));
    assert.ok(used.size >= FLEET_COLORS.length - 2, `colours used: ${[...used].join(', ')}`);
    for (const c of used) assert.ok((FLEET_COLORS as readonly string[]).includes(c));
  });
});
