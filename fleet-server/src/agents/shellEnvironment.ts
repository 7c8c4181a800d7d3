import * as os from 'node:os';
import type { AgentIdentity } from './agentProtocol';

/**
 * A clean, minimal environment: shells must not inherit the fleet server's
 * variables (tokens, test settings), and should look like the seeded machine.
 */
let account: os.UserInfo<string> | undefined;

export function shellEnvironment(identity: AgentIdentity, shell: string, requested: Record<string, string>): Record<string, string> {
  // Asked once per agent process: the account does not change under it, and asking costs a passwd lookup per shell.
  const user = (account ??= os.userInfo());
  const base: Record<string, string> = {
    HOME: identity.home ?? os.homedir(),
    USER: user.username,
    LOGNAME: user.username,
    SHELL: shell,
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    HOSTNAME: identity.hostname,
    // The prompt names the host through $HOSTNAME, never by its text: the shell expands PS1 at every prompt, and a
    // seeded name such as `$(touch x)` pasted into it would run. A variable's value is not expanded again.
    PS1: '\\u@${HOSTNAME}:\\w\\$ ',
    CMDOP_FLEET: identity.fleetId,
  };
  return { ...base, ...requested };
}
