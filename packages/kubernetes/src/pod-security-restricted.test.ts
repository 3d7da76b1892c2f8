import { type PodSpecLike, restrictedViolations } from './pod-security-restricted';

const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const compliant = (): PodSpecLike => ({
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  volumes: [
    { name: 'tmp', emptyDir: {} },
    { name: 'config', configMap: { name: 'c' } },
  ],
  containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
});

describe('restrictedViolations (Pod Security Standards, restricted)', () => {
  test('admits a pod that sets non-root and seccomp at pod level and drops everything per container', () => {
    expect(restrictedViolations(compliant())).toEqual([]);
  });

  test('admits NET_BIND_SERVICE, the one capability the profile lets a container add', () => {
    const pod = compliant();
    pod.containers![0]!.securityContext!.capabilities!.add = ['NET_BIND_SERVICE'];
    expect(restrictedViolations(pod)).toEqual([]);
  });

  test('refuses a container without a security context in a pod without one (what Argo injected before)', () => {
    const pod: PodSpecLike = { containers: [{ name: 'wait' }] };
    expect(restrictedViolations(pod)).toEqual([
      'container wait: allowPrivilegeEscalation must be false',
      'container wait: runAsNonRoot must be true (pod or container)',
      'container wait: seccompProfile must be RuntimeDefault or Localhost (pod or container)',
      'container wait: capabilities must drop ALL',
    ]);
  });

  test.each<[string, (pod: PodSpecLike) => void, RegExp]>([
    ['hostNetwork', (p) => (p.hostNetwork = true), /hostNetwork must not be true/],
    ['hostPID', (p) => (p.hostPID = true), /hostPID/],
    ['hostIPC', (p) => (p.hostIPC = true), /hostIPC/],
    ['a hostPath volume', (p) => p.volumes!.push({ name: 'h', hostPath: { path: '/' } }), /volume h: type hostPath/],
    ['a privileged container', (p) => (p.containers![0]!.securityContext!.privileged = true), /privileged/],
    [
      'an added capability',
      (p) => (p.containers![0]!.securityContext!.capabilities!.add = ['SYS_ADMIN']),
      /capability SYS_ADMIN/,
    ],
    ['capabilities not dropped', (p) => (p.containers![0]!.securityContext!.capabilities = {}), /drop ALL/],
    [
      'privilege escalation allowed',
      (p) => (p.containers![0]!.securityContext!.allowPrivilegeEscalation = true),
      /allowPrivilegeEscalation/,
    ],
    [
      'a container overriding runAsNonRoot',
      (p) => (p.containers![0]!.securityContext!.runAsNonRoot = false),
      /runAsNonRoot/,
    ],
    ['running as root', (p) => (p.securityContext!.runAsUser = 0), /runAsUser must not be 0/],
    ['seccomp Unconfined', (p) => (p.securityContext!.seccompProfile = { type: 'Unconfined' }), /seccompProfile/],
    ['no seccomp anywhere', (p) => delete p.securityContext!.seccompProfile, /seccompProfile must be/],
    ['a host port', (p) => (p.containers![0]!.ports = [{ hostPort: 8080 }]), /hostPort/],
    ['an unsafe sysctl', (p) => (p.securityContext!.sysctls = [{ name: 'kernel.msgmax', value: '1' }]), /sysctl/],
    [
      'an init container as root',
      (p) => (p.initContainers = [{ name: 'init', securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 0 } }]),
      /container init: runAsUser/,
    ],
  ])('refuses %s', (_, mutate, reason) => {
    const pod = compliant();
    mutate(pod);
    expect(restrictedViolations(pod).join('\n')).toMatch(reason);
  });
});
