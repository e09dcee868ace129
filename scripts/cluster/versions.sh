# Versions of the test cluster's parts. A change here rebuilds the affected part once; every
# clone sharing the cache reuses it.
KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.37.2}"
COREDNS_VERSION="${COREDNS_VERSION:-1.14.6}"
KUBE_ROUTER_VERSION="${KUBE_ROUTER_VERSION:-2.1.0}"   # the newest the module proxy serves for /v2
HELM_VERSION="${HELM_VERSION:-3.22.0}"
CLUSTER_BIN="$NUDGE_CACHE/tools/cluster-$KUBERNETES_VERSION/bin"
DAPR_CP_BIN="$NUDGE_CACHE/tools/dapr-control-plane-$DAPR_VERSION/bin"
# Podman/buildah image storage and containerd's content store outlive a clone; the running
# cluster's state (etcd, certificates, kubelet, logs) is recreated by every `cluster up`.
CONTAINERS_HOME="$NUDGE_CACHE/containers"
CLUSTER_HOME="$NUDGE_CACHE/cluster"
CLUSTER_STATE="$CLUSTER_HOME/state"
CLUSTER_LOGS="$LOG_DIR/cluster"
CONTAINERD_ROOT="$CLUSTER_HOME/containerd"
CONTAINERD_SOCK="$CLUSTER_STATE/containerd/containerd.sock"
KUBECONFIG_ADMIN="$CLUSTER_STATE/pki/admin.kubeconfig"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"

# Addresses: a host-only bridge carries the pods; its address is the node's, where the API
# server listens. Nothing binds the machine's external interface, pods get no route out
# (no masquerade, and forwarding beyond the pod network is dropped), CoreDNS forwards nowhere.
# Ports sit in 12xxx/16xxx, clear of every local stack (defaults + offsets of 1000, common.sh).
CLUSTER_BRIDGE=nudgebr0
CLUSTER_POD_CIDR=10.241.0.0/16
CLUSTER_NODE_POD_CIDR=10.241.0.0/24
CLUSTER_NODE_IP=10.241.0.1
CLUSTER_SERVICE_CIDR=10.242.0.0/16
CLUSTER_DNS_IP=10.242.0.10
CLUSTER_NODE_NAME=nudge-node
CLUSTER_DOMAIN=cluster.local
APISERVER_PORT=16443
ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
KUBELET_PORT=12250
KUBELET_HEALTHZ_PORT=12248
CONTROLLER_MANAGER_PORT=12257
SCHEDULER_PORT_SECURE=12259
KUBE_PROXY_HEALTHZ_PORT=12256
KUBE_PROXY_METRICS_PORT=12249
NETPOL_HEALTH_PORT=12244
