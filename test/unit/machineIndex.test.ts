import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Machine } from '../../fleet-server/src/fleet/machine';
import { MachineIndex } from '../../fleet-server/src/fleet/machineIndex';
import type { MachineAgent } from '../../fleet-server/src/agents/agentHost';

const machine = (hostname: string, id?: string) => new Machine('f', { hostname, id, os: 'linux', online: true } as never);
const agent = {} as MachineAgent;

describe('MachineIndex: a fleet machine by id, hostname or agent session id', () => {
  it('finds a machine by each of its names and nothing else', () => {
    const [a, b] = [machine('web-1', 'm-a'), machine('web-2', 'm-b')];
    const index = new MachineIndex([a, b]);
    assert.equal(index.find('m-b'), b);
    assert.equal(index.find('web-1'), a);
    assert.equal(index.find(b.agentSessionId), b);
    assert.equal(index.byAgentSessionId(a.agentSessionId), a);
    assert.equal(index.byAgentSessionId('web-1'), undefined, 'a hostname is not an agent session id');
    assert.equal(index.find('web-3'), undefined);
  });

  it('follows a new agent connection: the new session id names the machine, the old one no longer does', () => {
    const a = machine('web-1');
    const index = new MachineIndex([a]);
    const old = a.agentSessionId;
    a.attach(agent);
    assert.notEqual(a.agentSessionId, old);
    assert.equal(index.byAgentSessionId(a.agentSessionId), a);
    assert.equal(index.byAgentSessionId(old), undefined);
    assert.equal(index.find(old), undefined);
  });

  it('answers as a walk in seed order where two machines share a name: the earlier one', () => {
    const [first, second] = [machine('dup', 'm-1'), machine('dup', 'm-2')];
    const index = new MachineIndex([first, second]);
    assert.equal(index.find('dup'), first);
    // A hostname that equals a later machine's id: the earlier machine (by hostname) wins, as a walk would.
    const [c, d] = [machine('m-4', 'm-3'), machine('web-4', 'm-4')];
    assert.equal(new MachineIndex([c, d]).find('m-4'), c);
  });
});
