import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fleetArgument,
  machineArgument,
  OwnRows,
  runArgument,
  runFromOwnUi,
  sessionArgument,
} from '../../src/core/commands/commandArguments';
import { heldRun } from '../../src/core/commands/heldRun';
import { ownFleet } from '../../src/core/commands/ownFleet';
import { mustConfirmRun } from '../../src/core/commands/runConfirmation';
import { parseRunbook } from '../../src/runbook-server/parseRunbook';

const acme = { id: 'fleet-acme', name: 'Acme Production', role: 'Owner', relay: 'relay.acme.example:443' };
// Someone else's fleet, named like one of our fleet ids.
const partner = { id: 'fleet-partner', name: 'fleet-acme', role: 'Guest', relay: 'relay.partner.example:443' };
const ours = [partner, acme];
const FORGED = { relay: '127.0.0.1:9', url: 'http://127.0.0.1:9', apiKey: 'cmdop_stolen', role: 'Owner', name: 'x' };

describe('a command argument', () => {
  it('gives only ids: a relay, URL, credential, role or name it carries is dropped', () => {
    const shapes = [
      { fleet: { id: 'fleet-acme', ...FORGED }, hostname: 'web-1', ...FORGED },
      { kind: 'machine', fleet: { id: 'fleet-acme', ...FORGED }, machine: { hostname: 'web-1', ...FORGED } },
      { fleetId: 'fleet-acme', hostname: 'web-1', ...FORGED },
    ];
    for (const shape of shapes) assert.deepEqual(machineArgument(shape), { fleetId: 'fleet-acme', hostname: 'web-1' });
    assert.deepEqual(
      sessionArgument({ kind: 'session', fleet: { id: 'fleet-acme', ...FORGED }, session: { id: 's-1', hostname: 'evil' } }),
      { fleetId: 'fleet-acme', sessionId: 's-1' },
    );
  });

  it('with a forged relay field reaches our own record of the fleet, with our relay and role', () => {
    const ref = machineArgument({ fleet: { id: 'fleet-acme', relay: '127.0.0.1:9', role: 'Owner' }, hostname: 'web-1' });
    const fleet = ownFleet(ours, ref?.fleetId);
    assert.equal(fleet?.relay, 'relay.acme.example:443');
    assert.equal(fleet, acme);
  });

  it('never picks a fleet by name: a fleet named like another fleet id names no fleet', () => {
    // A partner fleet whose *name* is "fleet-acme" handed in as a fleet object without an id.
    assert.equal(fleetArgument({ fleet: { name: 'fleet-acme', relay: '127.0.0.1:9' } }), undefined);
    assert.equal(machineArgument({ fleet: { name: 'fleet-acme' }, hostname: 'web-1' })?.fleetId, undefined);
    // Its id picks it, never our fleet-acme; and our fleet's name is no id.
    assert.equal(ownFleet(ours, fleetArgument({ fleet: { id: 'fleet-partner', name: 'fleet-acme' } })), partner);
    assert.equal(ownFleet(ours, fleetArgument('Acme Production')), undefined);
  });

  it('is a plain string id for the command it is given to', () => {
    assert.deepEqual(machineArgument('web-1'), { hostname: 'web-1' });
    assert.deepEqual(sessionArgument('s-1'), { sessionId: 's-1' });
    assert.equal(fleetArgument('fleet-acme'), 'fleet-acme');
    assert.deepEqual(runArgument(3), { runId: 3 });
    assert.deepEqual(runArgument('3'), { runId: 3 });
    assert.deepEqual(runArgument({ run: { id: 3, command: 'rm -rf /' }, result: { hostname: 'web-1' } }), { runId: 3, hostname: 'web-1' });
  });

  it('that names nothing gives nothing (the command then asks the person to pick)', () => {
    for (const bad of [undefined, null, '', 7, {}, { fleet: {} }, { hostname: 42 }, { machine: { name: 'web-1' } }]) {
      assert.equal(machineArgument(bad), undefined);
      assert.equal(sessionArgument(bad), undefined);
    }
    for (const bad of [undefined, -1, 1.5, 'x', { run: { id: '1x' } }]) assert.equal(runArgument(bad), undefined);
  });

  it('naming a held run gets the held run, whatever command the object carries', () => {
    assert.equal(heldRun([{ id: 3, command: 'uptime' }], 3)?.command, 'uptime');
    assert.equal(heldRun([{ id: 3, command: 'uptime' }], { runId: 3, command: 'rm -rf /' })?.command, 'uptime');
  });
});

describe('whether a run came from our own UI', () => {
  const own = new OwnRows();
  const [row] = own.handOut([{ kind: 'machine', fleet: acme, machine: { hostname: 'web-1' } }]);

  it('is yes only for the very rows our tree handed out', () => {
    assert.equal(runFromOwnUi({ via: 'rows', rows: [row], own }), true);
    assert.equal(mustConfirmRun({ machineCount: 1, confirmAbove: 10, fromOwnUi: true, alreadyConfirmed: false }), false);
  });

  it('is no for an object built to look like one of our rows, so a run on one machine asks', () => {
    const forged = { kind: 'machine', fleet: acme, machine: { hostname: 'web-1' } };
    assert.deepEqual(forged, row);
    const fromOwnUi = runFromOwnUi({ via: 'rows', rows: [forged], own });
    assert.equal(fromOwnUi, false);
    assert.equal(mustConfirmRun({ machineCount: 1, confirmAbove: 10, fromOwnUi, alreadyConfirmed: false }), true);
    assert.equal(runFromOwnUi({ via: 'rows', rows: [row, forged], own }), false, 'one forged row among ours is enough to ask');
    assert.equal(runFromOwnUi({ via: 'rows', rows: [undefined], own }), false, 'a Runs command called with nothing is not a click');
  });

  it('is no for cmdop.runOnMachines, whoever calls it', () => {
    assert.equal(runFromOwnUi({ via: 'command' }), false);
  });

  it('is yes for a runbook lens only when the command is exactly a shell block of an open runbook', () => {
    const runbook = parseRunbook(
      ['# Restart', 'Never run `rm -rf /` here.', '```sh @web-1', 'systemctl restart api', '```', ''].join('\n'),
    );
    const openBlocks = runbook.blocks.map((b) => b.body);
    assert.equal(runFromOwnUi({ via: 'runbook', command: 'systemctl restart api', openBlocks }), true);
    // Text of the runbook that is no block (prose, part of a block) is a command of the caller's choosing.
    assert.equal(runFromOwnUi({ via: 'runbook', command: 'rm -rf /', openBlocks }), false);
    assert.equal(runFromOwnUi({ via: 'runbook', command: 'restart', openBlocks }), false);
    assert.equal(runFromOwnUi({ via: 'runbook', command: 'systemctl restart api', openBlocks: [] }), false);
  });
});
