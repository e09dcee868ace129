# The single-node cluster as host processes: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, containerd (Debian) + runc, kubelet, kube-proxy (iptables) and kube-router's
# NetworkPolicy controller, on a host-only bridge. Sourced by scripts/cluster/cluster.sh.

kbin() { echo "$CLUSTER_BIN/$1"; }
kubectl_admin() { "$CLUSTER_BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# The configuration files (kubeconfigs, containerd, CNI, kubelet, kube-proxy) are written by
# scripts/cluster/config, typed and unit-tested, from the settings of versions.sh listed here.
node_config_env() {
  local v
  for v in CLUSTER_STATE CONTAINERD_ROOT CONTAINERD_SOCK KUBECONFIG_ADMIN PAUSE_IMAGE CLUSTER_BRIDGE \
    CLUSTER_POD_CIDR CLUSTER_NODE_POD_CIDR CLUSTER_NODE_IP CLUSTER_DNS_IP CLUSTER_NODE_NAME \
    CLUSTER_DOMAIN APISERVER_PORT KUBELET_PORT KUBELET_HEALTHZ_PORT KUBE_PROXY_HEALTHZ_PORT KUBE_PROXY_METRICS_PORT; do
    echo "$v=${!v}"
  done
}

write_node_config() { # FILE PATH [USER] — scripts/cluster/config/main.ts FILE [USER] into PATH
  local settings; mapfile -t settings < <(node_config_env)
  env "${settings[@]}" bun "$NUDGE_ROOT/scripts/cluster/config/main.ts" "$1" "${@:3}" >"$2" ||
    die cluster "-" "scripts/cluster/config could not write $2 (see the message above)"
}

# One line naming what this machine lacks, never a silent skip.
cluster_preflight() {
  [ "$(id -u)" = 0 ] || die cluster "-" "the test cluster needs root (network namespaces, iptables, mounts)"
  local need=() c
  for c in containerd runc ctr iptables iptables-save iptables-restore ipset ip openssl mmdebstrap podman conntrack; do
    command -v "$c" >/dev/null || need+=("$c")
  done
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] || need+=(containernetworking-plugins)
  [ ${#need[@]} -eq 0 ] || die cluster "-" "missing commands: ${need[*]} (.ci/run installs them: apt-get install containerd runc iptables ipset iproute2 openssl mmdebstrap podman buildah conntrack containernetworking-plugins)"
  grep -qw overlay /proc/filesystems || die cluster "-" "kernel feature missing: overlayfs (containerd's snapshotter)"
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || die cluster "-" "kernel feature missing: br_netfilter (Services between pods on the bridge)"
  # ip_set and the iptables "set" match: what kube-router's policies are made of.
  local xt_set=ok
  ipset create nudge-preflight hash:ip >/dev/null 2>&1 || die cluster "-" "kernel feature missing: ip_set (kube-router's NetworkPolicy enforcement)"
  iptables -w -N NUDGE-PREFLIGHT 2>/dev/null || true
  iptables -w -A NUDGE-PREFLIGHT -m set --match-set nudge-preflight src -j RETURN 2>/dev/null || xt_set=missing
  iptables -w -F NUDGE-PREFLIGHT 2>/dev/null; iptables -w -X NUDGE-PREFLIGHT 2>/dev/null; ipset destroy nudge-preflight 2>/dev/null
  [ "$xt_set" = ok ] || die cluster "-" "kernel feature missing: xt_set (the iptables set match kube-router's policies use)"
  [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || die cluster "-" "kernel feature missing: the memory cgroup controller"
}

# The host-only bridge with the node's address, a route that keeps untranslated Service
# addresses on the machine, and a rule that drops pod traffic leaving the pod network.
setup_node_network() {
  if ! ip link show "$CLUSTER_BRIDGE" >/dev/null 2>&1; then
    ip link add "$CLUSTER_BRIDGE" type bridge || die network "-" "cannot create bridge $CLUSTER_BRIDGE (kernel bridge support?)"
  fi
  ip addr replace "$CLUSTER_NODE_IP/${CLUSTER_NODE_POD_CIDR#*/}" dev "$CLUSTER_BRIDGE"
  ip link set "$CLUSTER_BRIDGE" up
  ip route replace local "$CLUSTER_SERVICE_CIDR" dev lo
  cat /proc/sys/net/ipv4/ip_forward >"$CLUSTER_STATE/ip_forward.before"
  iptables -w -N NUDGE-CLUSTER-EGRESS 2>/dev/null || iptables -w -F NUDGE-CLUSTER-EGRESS
  iptables -w -A NUDGE-CLUSTER-EGRESS -s "$CLUSTER_POD_CIDR" -d "$CLUSTER_POD_CIDR" -j RETURN
  iptables -w -A NUDGE-CLUSTER-EGRESS -s "$CLUSTER_POD_CIDR" -j DROP
  iptables -w -C FORWARD -j NUDGE-CLUSTER-EGRESS 2>/dev/null || iptables -w -I FORWARD 1 -j NUDGE-CLUSTER-EGRESS
}

teardown_node_network() {
  ip route del local "$CLUSTER_SERVICE_CIDR" dev lo 2>/dev/null || true
  ip link del "$CLUSTER_BRIDGE" 2>/dev/null || true
  # kube-proxy's and kube-router's chains and sets (KUBE-*), and ours; nobody else on the
  # machine uses those names. Other rules (podman's NETAVARK-*) stay.
  local table
  for table in filter nat mangle; do
    iptables-save -t "$table" 2>/dev/null | grep -Ev 'KUBE-|NUDGE-CLUSTER' | iptables-restore -w -T "$table" 2>/dev/null || true
  done
  ipset list -n 2>/dev/null | grep -E '^(KUBE-|inet6:KUBE-)' | while read -r s; do ipset destroy "$s" 2>/dev/null || true; done
  [ -f "$CLUSTER_STATE/ip_forward.before" ] && cat "$CLUSTER_STATE/ip_forward.before" >/proc/sys/net/ipv4/ip_forward 2>/dev/null || true
}

start_etcd() {
  step cluster "etcd on 127.0.0.1:$ETCD_CLIENT_PORT"
  start_daemon cluster-etcd "$CLUSTER_LOGS/etcd.log" "$(kbin etcd)" --name nudge --data-dir "$CLUSTER_STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "nudge=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
  wait_until cluster-etcd "$CLUSTER_LOGS/etcd.log" 30 "etcd not healthy within 30s (port $ETCD_CLIENT_PORT taken?)" \
    curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
}

start_apiserver() {
  local pki="$CLUSTER_STATE/pki"
  step cluster "kube-apiserver on https://$CLUSTER_NODE_IP:$APISERVER_PORT"
  start_daemon cluster-apiserver "$CLUSTER_LOGS/kube-apiserver.log" "$(kbin kube-apiserver)" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address "$CLUSTER_NODE_IP" --advertise-address "$CLUSTER_NODE_IP" --secure-port "$APISERVER_PORT" \
    --service-cluster-ip-range "$CLUSTER_SERVICE_CIDR" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true --profiling=false --v=1
  wait_until cluster-apiserver "$CLUSTER_LOGS/kube-apiserver.log" 90 "the API server did not answer /readyz within 90s" \
    kubectl_admin get --raw /readyz
}

start_controllers() {
  local pki="$CLUSTER_STATE/pki"
  step cluster "kube-controller-manager and kube-scheduler"
  start_daemon cluster-controller-manager "$CLUSTER_LOGS/kube-controller-manager.log" "$(kbin kube-controller-manager)" \
    --kubeconfig "$KUBECONFIG_ADMIN" --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" \
    --root-ca-file "$pki/ca.crt" --service-account-private-key-file "$pki/sa.key" --use-service-account-credentials \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --allocate-node-cidrs --cluster-cidr "$CLUSTER_POD_CIDR" --node-cidr-mask-size "${CLUSTER_NODE_POD_CIDR#*/}" \
    --service-cluster-ip-range "$CLUSTER_SERVICE_CIDR" --leader-elect=false --profiling=false --v=1
  start_daemon cluster-scheduler "$CLUSTER_LOGS/kube-scheduler.log" "$(kbin kube-scheduler)" \
    --kubeconfig "$KUBECONFIG_ADMIN" --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT_SECURE" \
    --leader-elect=false --profiling=false --v=1
}

write_containerd_config() {
  mkdir -p "$CONTAINERD_ROOT" "$CLUSTER_STATE/containerd" "$CLUSTER_STATE/cni/conf" "$CLUSTER_STATE/cni/ipam"
  write_node_config containerd "$CLUSTER_STATE/containerd/config.toml"
  write_node_config cni "$CLUSTER_STATE/cni/conf/10-nudge.conflist"
}



start_containerd() {
  write_containerd_config
  step cluster "containerd $(containerd --version | awk '{print $3}') (images in $CONTAINERD_ROOT)"
  start_daemon cluster-containerd "$CLUSTER_LOGS/containerd.log" containerd --config "$CLUSTER_STATE/containerd/config.toml"
  wait_until cluster-containerd "$CLUSTER_LOGS/containerd.log" 30 "containerd did not answer within 30s" \
    ctr --address "$CONTAINERD_SOCK" version
}

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

start_kubelet() {
  local dir="$CLUSTER_STATE/kubelet"
  mkdir -p "$dir"
  # Pods with dnsPolicy Default get no nameserver: nothing resolves outside the cluster.
  echo "options ndots:1" >"$CLUSTER_STATE/resolv.conf"
  write_node_config kubelet "$CLUSTER_STATE/kubelet-config.yaml"
  step cluster "kubelet (node $CLUSTER_NODE_NAME at $CLUSTER_NODE_IP)"
  start_daemon cluster-kubelet "$CLUSTER_LOGS/kubelet.log" "$(kbin kubelet)" --config "$CLUSTER_STATE/kubelet-config.yaml" \
    --kubeconfig "$CLUSTER_STATE/pki/kubelet.kubeconfig" --root-dir "$dir" --cert-dir "$dir/pki" \
    --hostname-override "$CLUSTER_NODE_NAME" --node-ip "$CLUSTER_NODE_IP" --v=1
}


start_kube_proxy() {
  write_node_config kube-proxy "$CLUSTER_STATE/kube-proxy-config.yaml"
  step cluster "kube-proxy (iptables)"
  start_daemon cluster-kube-proxy "$CLUSTER_LOGS/kube-proxy.log" "$(kbin kube-proxy)" \
    --config "$CLUSTER_STATE/kube-proxy-config.yaml" --v=1
}


# After the node is registered: the controller reads the node's addresses at start.
start_netpol() {
  step cluster "kube-router's NetworkPolicy controller (firewall only)"
  start_daemon cluster-netpol "$CLUSTER_LOGS/netpol.log" "$(kbin netpol)" \
    --run-firewall=true --run-router=false --run-service-proxy=false \
    --kubeconfig "$KUBECONFIG_ADMIN" --hostname-override "$CLUSTER_NODE_NAME" \
    --service-cluster-ip-range "$CLUSTER_SERVICE_CIDR" --health-port "$NETPOL_HEALTH_PORT" --metrics-port 0 \
    --iptables-sync-period 30s --v=1
  wait_until cluster-netpol "$CLUSTER_LOGS/netpol.log" 60 "the NetworkPolicy controller did not report healthy within 60s" \
    curl -fsS "http://127.0.0.1:$NETPOL_HEALTH_PORT/healthz"
  wait_until cluster-netpol "$CLUSTER_LOGS/netpol.log" 60 "the NetworkPolicy controller wrote no iptables chains within 60s" \
    bash -c 'iptables-save -t filter | grep -q "^:KUBE-ROUTER-FORWARD"'
}

wait_node_ready() {
  wait_until cluster-kubelet "$CLUSTER_LOGS/kubelet.log" 90 "node $CLUSTER_NODE_NAME not Ready within 90s" \
    kubectl_admin wait --for=condition=Ready "node/$CLUSTER_NODE_NAME" --timeout=2s
}

# Every host process of the node still alive (one line naming the first that is not).
check_node_daemons() {
  local d
  for d in "${CLUSTER_DAEMONS[@]}" cluster-containerd; do
    pid_alive "$d" || die "${d#cluster-}" "$CLUSTER_LOGS/${d#cluster-}.log" "${d#cluster-} is not running"
  done
}

CLUSTER_DAEMONS=(cluster-netpol cluster-kube-proxy cluster-kubelet cluster-scheduler cluster-controller-manager cluster-apiserver cluster-etcd)

# Every pod's containers stopped and removed through containerd (so their shims exit), then
# the daemons by pid, then mounts, network and state.
stop_node() {
  stop_daemon cluster-kubelet
  if pid_alive cluster-containerd; then
    local id
    for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$id" >/dev/null 2>&1 || true; done
  fi
  local d; for d in "${CLUSTER_DAEMONS[@]}" cluster-containerd; do stop_daemon "$d"; done
  local m
  for m in $(awk -v s="$CLUSTER_STATE" 'index($2, s) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  for m in $(awk '$2 ~ "^/run/netns/cni-" {print $2}' /proc/mounts); do umount -l "$m" 2>/dev/null; rm -f "$m"; done
  teardown_node_network
}
