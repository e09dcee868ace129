import type { NodeSettings } from "./settings.ts";

export function containerdConfig(s: NodeSettings): string {
  return `version = 2
root = "${s.containerd.root}"
state = "${s.state}/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.opt",
  "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "${s.containerd.socket}"
[ttrpc]
  address = "${s.state}/containerd/ttrpc.sock"
[debug]
  level = "warn"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${s.containerd.pauseImage}"
  # The sandbox can't set a negative oom_score_adj; without this every sandbox fails.
  restrict_oom_score_adj = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_unprivileged_ports = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${s.state}/cni/conf"
    max_conf_num = 1
`;
}

/** The bridge CNI: no masquerade (no way out), the node's address as the pods' gateway. */
export function cniConfig(s: NodeSettings): string {
  return `{
  "cniVersion": "0.4.0",
  "name": "nudge",
  "plugins": [
    {
      "type": "bridge", "bridge": "${s.node.bridge}", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "${s.state}/cni/ipam",
        "ranges": [[{ "subnet": "${s.node.podCidr}", "gateway": "${s.node.ip}" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
`;
}
