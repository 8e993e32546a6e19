/**
 * What `npm test` does about the Debian packages its tests need, decided from a table of
 * machines (which executables exist, root or not, passwordless sudo or not, apt-get or not):
 * no network, nothing installed, nothing run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decide,
  manualInstallCommand,
  missingPrerequisites,
  TEST_PREREQUISITES,
  type Decision,
  type Powers,
} from '../../scripts/test-prerequisites.js';

const EVERYTHING = new Set(TEST_PREREQUISITES.flatMap((entry) => entry.executables));
const NO_BROWSER_NO_SSHD = new Set([
  'ssh',
  'ssh-keygen',
  '/usr/sbin/nginx',
  'openssl',
  'prometheus',
  'promtool',
  'setpriv',
  '/usr/sbin/useradd',
  '/usr/sbin/userdel',
  'wrk',
  '/usr/bin/time',
]);

function without(...executables: string[]): Set<string> {
  return new Set([...EVERYTHING].filter((executable) => !executables.includes(executable)));
}

test('the table: each package and the executables that show it is installed', () => {
  assert.deepEqual(
    TEST_PREREQUISITES.map((entry) => [entry.package, entry.executables]),
    [
      ['chromium', ['/usr/bin/chromium']],
      ['openssh-server', ['/usr/sbin/sshd']],
      ['openssh-client', ['ssh', 'ssh-keygen']],
      ['nginx', ['/usr/sbin/nginx']],
      ['openssl', ['openssl']],
      ['prometheus', ['prometheus', 'promtool']],
      ['util-linux', ['setpriv']],
      ['passwd', ['/usr/sbin/useradd', '/usr/sbin/userdel']],
      ['wrk', ['wrk']],
      ['time', ['/usr/bin/time']],
    ],
  );
});

test('missing: a package counts as missing when any one of its executables is', () => {
  const table: Array<[Set<string>, string[]]> = [
    [EVERYTHING, []],
    [NO_BROWSER_NO_SSHD, ['chromium', 'openssh-server']],
    [without('ssh-keygen'), ['openssh-client']],
    [without('/usr/sbin/nginx'), ['nginx']],
    [without('/usr/sbin/userdel'), ['passwd']],
    [without('wrk', '/usr/bin/time'), ['wrk', 'time']],
    [without('promtool'), ['prometheus']],
    [new Set(), ['chromium', 'openssh-server', 'openssh-client', 'nginx', 'openssl', 'prometheus', 'util-linux', 'passwd', 'wrk', 'time']],
  ];
  for (const [found, packages] of table) {
    assert.deepEqual(
      missingPrerequisites(found).map((entry) => entry.package),
      packages,
      [...found].join(' '),
    );
  }
});

test('decisions: nothing to do, apt-get as root or through sudo -n, or one line naming the command', () => {
  const install = (sudo: string[]): Decision => ({
    kind: 'install',
    notice:
      'stress tests: installing Debian packages chromium openssh-server (Chromium for the HTML report test, sshd for the load-box tests)',
    commands: [
      [...sudo, 'apt-get', 'update', '-qq'],
      [...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', 'chromium', 'openssh-server'],
    ],
  });
  const table: Array<[string, Set<string>, Powers, Decision]> = [
    ['all there, even without any power', EVERYTHING, { root: false, sudo: false, aptGet: false }, { kind: 'ready' }],
    ['root', NO_BROWSER_NO_SSHD, { root: true, sudo: false, aptGet: true }, install([])],
    ['passwordless sudo', NO_BROWSER_NO_SSHD, { root: false, sudo: true, aptGet: true }, install(['sudo', '-n'])],
    [
      'neither root nor sudo',
      NO_BROWSER_NO_SSHD,
      { root: false, sudo: false, aptGet: true },
      {
        kind: 'fail',
        message:
          'stress tests need chromium, openssh-server: run `sudo apt-get update && sudo apt-get install -y chromium openssh-server` and npm test again',
      },
    ],
    [
      'no apt-get, even as root',
      NO_BROWSER_NO_SSHD,
      { root: true, sudo: false, aptGet: false },
      {
        kind: 'fail',
        message:
          'stress tests need /usr/bin/chromium, /usr/sbin/sshd (Debian packages chromium, openssh-server) and there is no apt-get here: install them and npm test again',
      },
    ],
  ];
  for (const [machine, found, powers, decision] of table) {
    assert.deepEqual(decide(missingPrerequisites(found), powers), decision, machine);
  }
});

test('every message is one line', () => {
  for (const powers of [
    { root: false, sudo: false, aptGet: true },
    { root: true, sudo: false, aptGet: false },
    { root: true, sudo: false, aptGet: true },
  ]) {
    const decision = decide(missingPrerequisites(new Set()), powers);
    const text = decision.kind === 'fail' ? decision.message : decision.kind === 'install' ? decision.notice : '';
    assert.ok(text.length > 0 && !text.includes('\n'), text);
  }
});

test('the command a person runs: sudo only when not root', () => {
  assert.equal(manualInstallCommand(['chromium', 'openssh-server'], true), 'apt-get update && apt-get install -y chromium openssh-server');
  assert.equal(manualInstallCommand(['chromium'], false), 'sudo apt-get update && sudo apt-get install -y chromium');
});
