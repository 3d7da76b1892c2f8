/**
 * The `restricted` Pod Security Standard as Kubernetes lists its controls
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/, "Baseline" and
 * "Restricted", Linux pods): what Pod Security Admission checks when a namespace enforces
 * `restricted`. Each check returns the reason a pod would be refused, so a test can show them.
 */

export interface SecurityContextLike {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  appArmorProfile?: { type?: string };
  procMount?: string;
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name: string; value: string }[];
}

export interface ContainerLike {
  name: string;
  securityContext?: SecurityContextLike;
  ports?: { hostPort?: number }[];
}

export interface PodSpecLike {
  securityContext?: SecurityContextLike;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: Record<string, unknown>[];
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

/** Volume types the restricted profile allows (every other source, hostPath first, is refused). */
const ALLOWED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const SECCOMP_ALLOWED = new Set(['RuntimeDefault', 'Localhost']);

/** Why Pod Security Admission at `restricted` would refuse this pod; empty when it admits it. */
export function restrictedViolations(pod: PodSpecLike): string[] {
  const problems: string[] = [];
  const podSc = pod.securityContext ?? {};
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];

  // Baseline: host namespaces, privileged, capabilities, host paths and ports, seLinux, proc, sysctls.
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const)
    if (pod[ns] === true) problems.push(`pod: ${ns} must not be true`);
  if (podSc.windowsOptions?.hostProcess === true) problems.push('pod: hostProcess must not be true');
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUMES.has(type))
      problems.push(`volume ${String(volume.name)}: type ${type ?? '(none)'} is not allowed`);
  }
  for (const sysctl of podSc.sysctls ?? [])
    if (!SAFE_SYSCTLS.has(sysctl.name)) problems.push(`pod: sysctl ${sysctl.name} is not allowed`);
  problems.push(...seLinuxProblems('pod', podSc));
  if (podSc.appArmorProfile && !['RuntimeDefault', 'Localhost'].includes(podSc.appArmorProfile.type ?? ''))
    problems.push('pod: appArmorProfile must be RuntimeDefault or Localhost');

  // Restricted: non-root, seccomp, no escalation, capabilities dropped.
  if (podSc.runAsUser === 0) problems.push('pod: runAsUser must not be 0');
  const podSeccomp = podSc.seccompProfile?.type;
  if (podSeccomp !== undefined && !SECCOMP_ALLOWED.has(podSeccomp))
    problems.push(`pod: seccompProfile ${podSeccomp} is not allowed`);

  for (const c of containers) {
    const where = `container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) problems.push(`${where}: privileged must not be true`);
    if (sc.windowsOptions?.hostProcess === true) problems.push(`${where}: hostProcess must not be true`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') problems.push(`${where}: procMount must be Default`);
    for (const port of c.ports ?? [])
      if (port.hostPort !== undefined && port.hostPort !== 0) problems.push(`${where}: hostPort must not be set`);
    problems.push(...seLinuxProblems(where, sc));
    if (sc.appArmorProfile && !['RuntimeDefault', 'Localhost'].includes(sc.appArmorProfile.type ?? ''))
      problems.push(`${where}: appArmorProfile must be RuntimeDefault or Localhost`);

    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
    // runAsNonRoot: true on the container, or on the pod and not overridden to false.
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) problems.push(`${where}: runAsNonRoot must be true (pod or container)`);
    if (sc.runAsUser === 0) problems.push(`${where}: runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp === undefined || !SECCOMP_ALLOWED.has(seccomp))
      problems.push(`${where}: seccompProfile must be RuntimeDefault or Localhost (pod or container)`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities must drop ALL`);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== 'NET_BIND_SERVICE') problems.push(`${where}: capability ${cap} may not be added`);
  }
  return problems;
}

function seLinuxProblems(where: string, sc: SecurityContextLike): string[] {
  const se = sc.seLinuxOptions;
  if (!se) return [];
  const problems: string[] = [];
  if (!SELINUX_TYPES.has(se.type ?? '')) problems.push(`${where}: seLinuxOptions.type ${se.type} is not allowed`);
  if (se.user || se.role) problems.push(`${where}: seLinuxOptions user and role must not be set`);
  return problems;
}
