/**
 * Whether a shell command looks like it changes state on the machine (removes, restarts, writes, installs…).
 * A heuristic for the confirmation's warning line, never a guard: a person still reads the command, and a
 * command without a warning is not thereby safe.
 */

/** Programs that change state whatever their arguments. */
const ALWAYS: Record<string, string> = {
  rm: 'removes files',
  rmdir: 'removes directories',
  shred: 'destroys files',
  unlink: 'removes files',
  mv: 'moves or renames files',
  dd: 'writes raw data',
  truncate: 'truncates files',
  mkfs: 'formats a file system',
  fdisk: 'changes partitions',
  parted: 'changes partitions',
  wipefs: 'wipes file systems',
  chmod: 'changes permissions',
  chown: 'changes ownership',
  chgrp: 'changes ownership',
  kill: 'stops processes',
  pkill: 'stops processes',
  killall: 'stops processes',
  reboot: 'restarts the machine',
  shutdown: 'shuts the machine down',
  halt: 'stops the machine',
  poweroff: 'powers the machine off',
  init: 'changes the run level',
  useradd: 'changes users',
  userdel: 'changes users',
  usermod: 'changes users',
  passwd: 'changes passwords',
  iptables: 'changes the firewall',
  ufw: 'changes the firewall',
  mount: 'mounts file systems',
  umount: 'unmounts file systems',
  tee: 'writes files',
  cp: 'copies files (may overwrite)',
  ln: 'creates links',
  mkdir: 'creates directories',
  touch: 'creates or touches files',
  install: 'installs files',
  rsync: 'copies files (may overwrite)',
  crontab: 'changes scheduled jobs',
  sysctl: 'may change kernel settings',
};

/** Programs that change state only with some subcommands. */
const WITH_SUBCOMMAND: Record<string, { words: string[]; reason: string }> = {
  systemctl: {
    words: [
      'start',
      'stop',
      'restart',
      'reload',
      'try-restart',
      'reload-or-restart',
      'enable',
      'disable',
      'mask',
      'unmask',
      'kill',
      'reboot',
      'poweroff',
      'halt',
      'isolate',
      'daemon-reload',
      'edit',
      'set-property',
    ],
    reason: 'changes services',
  },
  service: { words: ['start', 'stop', 'restart', 'reload', 'force-reload'], reason: 'changes services' },
  apt: {
    words: ['install', 'remove', 'purge', 'upgrade', 'full-upgrade', 'dist-upgrade', 'autoremove', 'update'],
    reason: 'changes packages',
  },
  'apt-get': { words: ['install', 'remove', 'purge', 'upgrade', 'dist-upgrade', 'autoremove', 'update'], reason: 'changes packages' },
  yum: { words: ['install', 'remove', 'erase', 'update', 'upgrade', 'downgrade'], reason: 'changes packages' },
  dnf: { words: ['install', 'remove', 'erase', 'update', 'upgrade', 'downgrade'], reason: 'changes packages' },
  apk: { words: ['add', 'del', 'upgrade'], reason: 'changes packages' },
  brew: { words: ['install', 'uninstall', 'upgrade', 'remove'], reason: 'changes packages' },
  pip: { words: ['install', 'uninstall'], reason: 'changes packages' },
  pip3: { words: ['install', 'uninstall'], reason: 'changes packages' },
  npm: { words: ['install', 'i', 'uninstall', 'remove', 'update', 'ci', 'publish'], reason: 'changes packages' },
  docker: {
    words: ['rm', 'rmi', 'stop', 'kill', 'restart', 'run', 'start', 'pull', 'prune', 'exec', 'compose'],
    reason: 'changes containers',
  },
  kubectl: {
    words: ['delete', 'apply', 'create', 'scale', 'patch', 'edit', 'replace', 'rollout', 'drain', 'cordon', 'label', 'annotate'],
    reason: 'changes the cluster',
  },
  git: {
    words: ['push', 'reset', 'checkout', 'clean', 'commit', 'merge', 'rebase', 'pull', 'restore', 'switch', 'stash'],
    reason: 'changes a repository',
  },
  sed: { words: ['-i', '--in-place'], reason: 'edits files in place' },
};

/** Words in front of the program that do not change what it does (sudo is noted on its own). */
const WRAPPERS = new Set(['env', 'nohup', 'time', 'nice', 'ionice', 'exec', 'command', 'builtin', 'xargs', 'timeout', 'stdbuf']);

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);

/** The reasons the command looks state-changing, in order, each once; empty when none. */
export function stateChanges(command: string): string[] {
  const reasons: string[] = [];
  const add = (reason: string) => {
    if (!reasons.includes(reason)) reasons.push(reason);
  };
  const unquoted = withoutQuotedText(command);
  // `>` and `>>` into a file; `2>&1`, `>&2` and `> /dev/null` write nowhere that lasts.
  for (const m of unquoted.matchAll(/(?:^|[^<>&0-9])(?:[0-9]?)(>>?)(?!&)\s*([^\s;&|)]*)/g)) {
    if (!/^\/dev\/(null|stdout|stderr|tty)$/.test(m[2])) add(m[1] === '>>' ? 'appends to a file (>>)' : 'writes to a file (>)');
  }
  // Programs are looked for with the quotes dropped but their text kept, so `bash -c "rm -rf x"` is seen;
  // `echo "a; rm b"` then warns too, which is the safe side of a heuristic.
  for (const segment of command.replace(/["']/g, ' ').split(/&&|\|\||[;|&()`{}\n]|\$\(/)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < words.length) {
      const word = basename(words[i]);
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) i++;
      else if (word === 'sudo' || word === 'doas' || word === 'su') {
        add('runs as root (sudo)');
        i++;
        while (i < words.length && words[i].startsWith('-')) i++;
      } else if (SHELLS.has(word) && words[i + 1] === '-c') {
        i += 2;
      } else if (WRAPPERS.has(word)) {
        i++;
        while (i < words.length && (words[i].startsWith('-') || /^\d+[smhd]?$/.test(words[i]))) i++;
      } else break;
    }
    const program = words[i] && basename(words[i]);
    if (!program) continue;
    const always = ALWAYS[program] ?? (program.startsWith('mkfs.') ? ALWAYS.mkfs : undefined);
    if (always) add(`${always} (${program})`);
    const sub = WITH_SUBCOMMAND[program];
    if (sub) {
      const hit = words.slice(i + 1).find((w) => sub.words.includes(w));
      if (hit) add(`${sub.reason} (${program} ${hit})`);
    }
  }
  return reasons;
}

/** The warning line for a confirmation, or undefined when nothing looks state-changing. */
export function stateChangeWarning(command: string): string | undefined {
  const reasons = stateChanges(command);
  return reasons.length ? `⚠ This command changes state on the machines: it ${reasons.join(', ')}.` : undefined;
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** The command with quoted text blanked, so `echo "a > b"` is not a redirection; unbalanced quotes count to the end. */
function withoutQuotedText(command: string): string {
  return command.replace(/'[^']*'?|"(?:[^"\\]|\\.)*"?/g, (quoted) => ' '.repeat(quoted.length));
}
