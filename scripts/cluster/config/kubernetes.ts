import type { NodeSettings } from "./settings.ts";

/** A kubeconfig for the client certificate `pki/<user>.crt` (admin, kubelet). */
export function kubeconfig(s: NodeSettings, user: string): string {
  const pki = `${s.state}/pki`;
  return `apiVersion: v1
kind: Config
clusters:
  - name: nudge
    cluster:
      certificate-authority: ${pki}/ca.crt
      server: https://${s.node.ip}:${s.ports.apiserver}
users:
  - name: ${user}
    user:
      client-certificate: ${pki}/${user}.crt
      client-key: ${pki}/${user}.key
contexts:
  - name: nudge
    context: { cluster: nudge, user: ${user} }
current-context: nudge
`;
}

export function kubeletConfig(s: NodeSettings): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${s.node.ip}
port: ${s.ports.kubelet}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${s.ports.kubeletHealthz}
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${s.state}/pki/ca.crt }
authorization: { mode: Webhook }
containerRuntimeEndpoint: unix://${s.containerd.socket}
cgroupDriver: cgroupfs
# cgroup v1 is still supported by 1.37 but refused unless asked for (this machine's layout).
failCgroupV1: false
clusterDNS: [${s.network.dnsIp}]
clusterDomain: ${s.network.domain}
resolvConf: ${s.state}/resolv.conf
# Images are imported, never pulled: garbage collection must not remove them, and a shared
# machine's disk filling up must not evict the test's pods.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1% }
serializeImagePulls: false
maxPods: 110
rotateCertificates: false
`;
}

export function kubeProxyConfig(s: NodeSettings): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: { kubeconfig: ${s.adminKubeconfig} }
hostnameOverride: ${s.node.name}
clusterCIDR: ${s.network.podCidr}
bindAddress: ${s.node.ip}
healthzBindAddress: 127.0.0.1:${s.ports.kubeProxyHealthz}
metricsBindAddress: 127.0.0.1:${s.ports.kubeProxyMetrics}
# NodePorts answer on the bridge address only, never on the machine's external interface.
nodePortAddresses: [${s.node.ip}/32]
iptables: { localhostNodePorts: false }
# Leave the machine's conntrack sysctls alone (the sandbox may not change them).
conntrack: { maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
`;
}
