# ./nudge cluster: a real single-node Kubernetes on this machine, built from source, with the
# Dapr control plane from its chart and Nudge applied with `kubectl apply -k kustomize/ci`.
#   ./nudge cluster up        build or reuse binaries and images, start the node, install Dapr, apply
#   ./nudge cluster test      up, then the end-to-end tests in tests/cluster
#   ./nudge cluster down      stop every process, remove containers, network rules and state
#   ./nudge cluster status    what runs; the node, Dapr and Nudge workloads
#   ./nudge cluster kubectl … kubectl against the test cluster (KUBECONFIG for your own tools:
#                             ./nudge cluster env)
# Sourced by ./nudge.

for f in versions binaries images pki node dapr testcontainers; do source "$NUDGE_ROOT/scripts/cluster/$f.sh"; done

CLUSTER_OVERLAY="${CLUSTER_OVERLAY:-kustomize/ci}"
CLUSTER_OWNER=/run/nudge-cluster.owner

# One test cluster per machine: its iptables chains, bridge and addresses are global. The
# owner file names the cache whose cluster runs; another clone's live cluster stops us.
cluster_claim() {
  local owner pid
  if [ -f "$CLUSTER_OWNER" ]; then
    read -r owner pid <"$CLUSTER_OWNER" || true
    if [ "$owner" != "$NUDGE_CACHE" ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      die cluster "-" "the test cluster of $owner runs on this machine (kube-apiserver pid $pid): './nudge cluster down' in that clone first"
    fi
  fi
  echo "$NUDGE_CACHE" >"$CLUSTER_OWNER"
}

cluster_running() { pid_alive cluster-apiserver && kubectl_admin get --raw /readyz >/dev/null 2>&1; }

# Static hostPath volumes stand in for a provisioner: PostgreSQL, the broker and the three
# Dapr scheduler replicas each claim one. World-writable folders, since fsGroup does not
# apply to hostPath; every `cluster up` starts them empty.
apply_volumes() {
  local i dir
  for i in 1 2 3 4 5 6 7 8; do
    dir="$CLUSTER_STATE/volumes/pv-$i"; mkdir -p "$dir"; chmod 1777 "$dir"
    cat <<YAML
---
apiVersion: v1
kind: PersistentVolume
metadata: { name: nudge-hostpath-$i, labels: { nudge.dev/test-cluster: "true" } }
spec:
  capacity: { storage: 16Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Delete
  hostPath: { path: $dir, type: Directory }
YAML
  done | kubectl_admin apply -f - >>"$CLUSTER_LOGS/system.log" 2>&1 || die volumes "$CLUSTER_LOGS/system.log" "could not create the hostPath PersistentVolumes"
}

apply_coredns() {
  sed -e "s#CLUSTER_DNS_IP#$CLUSTER_DNS_IP#" -e "s#COREDNS_IMAGE#$COREDNS_IMAGE#" -e "s#CLUSTER_DOMAIN#$CLUSTER_DOMAIN#" \
    "$NUDGE_ROOT/scripts/cluster/manifests/coredns.yaml" | kubectl_admin apply -f - >>"$CLUSTER_LOGS/system.log" 2>&1 ||
    die coredns "$CLUSTER_LOGS/system.log" "could not apply CoreDNS"
}

# wait_rollouts NAMESPACE TIMEOUT KIND/NAME… — progress every 10 s, the stuck pods on failure.
wait_rollouts() {
  local ns=$1 timeout=$2 r; shift 2
  for r in "$@"; do
    with_progress "cluster: $ns $r" "$CLUSTER_LOGS/rollout.log" \
      "$CLUSTER_BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" -n "$ns" rollout status "$r" --timeout="${timeout}s" || {
      kubectl_admin -n "$ns" get pods -o wide >>"$CLUSTER_LOGS/rollout.log" 2>&1
      kubectl_admin -n "$ns" get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 30 >>"$CLUSTER_LOGS/rollout.log"
      die "$ns/$r" "$CLUSTER_LOGS/rollout.log" "not rolled out within ${timeout}s (kubectl -n $ns describe $r; ./nudge cluster kubectl -n $ns logs …)"
    }
  done
}

cluster_start_node() {
  local start=$SECONDS
  rm -rf "$CLUSTER_STATE" && mkdir -p "$CLUSTER_STATE" "$CLUSTER_LOGS"
  setup_node_network
  create_pki
  start_etcd
  start_apiserver
  echo "$NUDGE_CACHE $(cat "$RUN_DIR/cluster-apiserver.pid")" >"$CLUSTER_OWNER"
  start_controllers
  start_containerd
  import_images $(cluster_image_names)
  start_kubelet
  start_kube_proxy
  wait_node_ready
  start_netpol
  apply_volumes
  apply_coredns
  wait_rollouts kube-system 120 deployment/coredns
  CLUSTER_TIMES+=("cluster start $((SECONDS - start))s")
  step cluster "node $CLUSTER_NODE_NAME Ready, CoreDNS Ready in $((SECONDS - start))s"
}

# The overlay, as an operator applies it; then every StatefulSet and Deployment rolled out
# (migrations run in the Deployments' init containers) with its daprd sidecar.
cluster_apply() {
  local start=$SECONDS log="$CLUSTER_LOGS/apply.log"
  step cluster "kubectl apply -k $CLUSTER_OVERLAY"
  (cd "$NUDGE_ROOT" && kubectl_admin apply -k "$CLUSTER_OVERLAY") >"$log" 2>&1 || die apply "$log" "kubectl apply -k $CLUSTER_OVERLAY was refused"
  local deployments
  deployments=$(kubectl_admin -n nudge get deployments -o name)
  wait_rollouts nudge 300 statefulset/postgres statefulset/redpanda $deployments
  check_sidecars
  CLUSTER_TIMES+=("apply $((SECONDS - start))s")
  step cluster "Nudge applied and rolled out in $((SECONDS - start))s"
}

# Every Deployment of an app that carries dapr.io/enabled runs a daprd container.
check_sidecars() {
  local missing
  missing=$(kubectl_admin -n nudge get pods -o json | bun -e '
    const pods = JSON.parse(await Bun.stdin.text()).items;
    const bad = pods.filter((p) => p.metadata.annotations?.["dapr.io/enabled"] === "true" && !p.spec.containers.some((c) => c.name === "daprd"));
    console.log(bad.map((p) => p.metadata.name).join(" "));')
  [ -z "$missing" ] || die sidecars "-" "pods without an injected daprd sidecar: $missing (is dapr-sidecar-injector Ready?)"
}

cluster_app_images() { with_images_lock testcontainers_images && with_nudge_images_lock ensure_nudge_images; }

cluster_up() {
  local start=$SECONDS
  CLUSTER_TIMES=()
  cluster_preflight
  cluster_claim
  ensure_bun
  ensure_node_modules
  local t=$SECONDS
  # Images that need no cluster binary (mostly downloads and dpkg) are built while Go compiles.
  ( t=$SECONDS; cluster_app_images &&
    step images "base, PostgreSQL, Kafka and Nudge images ready in $((SECONDS - t))s (alongside the Go builds)" ) &
  local images=$!
  ensure_cluster_binaries
  ensure_dapr_control_plane
  CLUSTER_TIMES+=("binaries $((SECONDS - t))s")
  wait "$images" || exit 1
  with_images_lock with_nudge_images_lock ensure_images
  CLUSTER_TIMES+=("binaries+images $((SECONDS - t))s")
  if cluster_running; then
    step cluster "node already running (./nudge cluster down to start afresh)"
    import_images $(cluster_image_names)
  else
    stop_node >/dev/null 2>&1 || true
    cluster_start_node
  fi
  check_node_daemons
  install_dapr
  cluster_apply
  dapr_ready
  step cluster "up in $((SECONDS - start))s: ${CLUSTER_TIMES[*]}"
  cluster_print_env >"$CLUSTER_STATE/env"
  cat >&2 <<TXT

  kubectl      ./nudge cluster kubectl -n nudge get pods     (KUBECONFIG=$KUBECONFIG_ADMIN)
  task-api     http://$(kubectl_admin -n nudge get svc task-api -o jsonpath='{.spec.clusterIP}'):$(kubectl_admin -n nudge get svc task-api -o jsonpath='{.spec.ports[0].port}')   (Service address, reachable from this machine only)
  Email        http://$CLUSTER_NODE_IP:30410   (mail-capture NodePort)
  Logs         $CLUSTER_LOGS
  Stop         ./nudge cluster down
TXT
}

cluster_print_env() {
  cat <<ENV
KUBECONFIG=$KUBECONFIG_ADMIN
NUDGE_CLUSTER_KUBECTL=$CLUSTER_BIN/kubectl
NUDGE_CLUSTER_NODE_IP=$CLUSTER_NODE_IP
NUDGE_CLUSTER_OVERLAY=$CLUSTER_OVERLAY
NUDGE_CLUSTER_IMAGE_KEY=${NUDGE_IMAGE_KEY:-$(nudge_context_key)}
NUDGE_CLUSTER_CONTAINERD_SOCK=$CONTAINERD_SOCK
CONTAINERS_CONF=$CONTAINERS_HOME/containers.conf
CONTAINERS_STORAGE_CONF=$CONTAINERS_HOME/storage.conf
CONTAINERS_REGISTRIES_CONF=$CONTAINERS_HOME/registries.conf
ENV
}

cluster_down() {
  stop_node
  rm -rf "$CLUSTER_STATE"
  [ "$(cut -d' ' -f1 "$CLUSTER_OWNER" 2>/dev/null)" = "$NUDGE_CACHE" ] && rm -f "$CLUSTER_OWNER"
  say "test cluster stopped (images stay in $CONTAINERS_HOME and $CONTAINERD_ROOT)"
}

cluster_status() {
  local d
  for d in cluster-etcd cluster-apiserver cluster-controller-manager cluster-scheduler cluster-containerd cluster-kubelet cluster-kube-proxy cluster-netpol; do
    if pid_alive "$d"; then printf '  %-28s running (pid %s)\n' "${d#cluster-}" "$(cat "$RUN_DIR/$d.pid")"; else printf '  %-28s stopped\n' "${d#cluster-}"; fi
  done
  cluster_running || return 0
  kubectl_admin get nodes -o wide
  kubectl_admin get pods -A -o wide
}

cluster_test() {
  local start=$SECONDS
  cluster_up
  eval "$(cluster_print_env | sed 's/^/export /')"
  local t=$SECONDS
  step cluster "bun test tests/cluster (end to end, inside the cluster)"
  (cd "$NUDGE_ROOT" && bun test --timeout 600000 tests/cluster "$@")
  say "cluster e2e passed in $((SECONDS - t))s (cluster test total $((SECONDS - start))s)"
}

cmd_cluster() {
  [ -d /usr/local/go/bin ] && export PATH="/usr/local/go/bin:$PATH"
  export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
  podman_env
  mkdir -p "$CLUSTER_LOGS"
  case "${1:-}" in
    up) cluster_up ;;
    test) shift; cluster_test "$@" ;;
    down) cluster_down ;;
    status) cluster_status ;;
    env) cluster_print_env ;;
    kubectl) shift; kubectl_admin "$@" ;;
    *) sed -n '3,9p' "$NUDGE_ROOT/scripts/cluster/cluster.sh" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
}
