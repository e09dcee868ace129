# Cluster binaries, built from Go modules once per version and kept in the shared cache
# ($NUDGE_CACHE/tools/cluster-…): Kubernetes, etcd, CoreDNS, kube-router's policy controller and
# Helm in one `go build` inside the Kubernetes module (one module graph, so the client-go,
# apimachinery, grpc … packages they share compile once); pause from its C source; the Dapr
# control plane (operator, injector) next to the daprd/placement/scheduler/sentry the local
# stack already built. Sourced by scripts/cluster/cluster.sh.

# build_id NAME… — what a stamp file must say for the build to be reused.
cluster_bin_build_id() {
  echo "kubernetes $KUBERNETES_VERSION; etcd from the kubernetes module graph; coredns $COREDNS_VERSION;" \
    "kube-router $KUBE_ROUTER_VERSION; helm $HELM_VERSION; $(go env GOVERSION 2>/dev/null); $(cluster_ldflags | sha256sum | cut -c1-8);" \
    "mains $(cat "$NUDGE_ROOT"/scripts/cluster/go/*/*.go | sha256sum | cut -c1-12)"
}

# Version stamps `make` would set (from git, which a module zip does not have): the API server
# reports them, kubelet registers the node with them, Helm's capabilities come from them.
cluster_ldflags() {
  local v="v$KUBERNETES_VERSION" minor=${KUBERNETES_VERSION#*.}; minor=${minor%%.*}
  local p f=(-s -w)
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=(-X "$p.gitVersion=$v" -X "$p.gitMajor=${KUBERNETES_VERSION%%.*}" -X "$p.gitMinor=$minor" -X "$p.gitTreeState=clean")
  done
  f+=(-X "helm.sh/helm/v3/internal/version.version=v$HELM_VERSION")
  echo "${f[*]}"
}

# The kubernetes module zip has an empty staging/: point the 33 staging replaces at the
# published k8s.io/* v0.X.Y modules, drop go.work, add our thin mains and the other modules.
prepare_kubernetes_source() { # LOG
  local log=$1 moddir src="$NUDGE_CACHE/src/kubernetes-$KUBERNETES_VERSION"
  moddir=$(go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" 2>>"$log" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$moddir" ] || die kubernetes "$log" "the Go module proxy did not serve k8s.io/kubernetes v$KUBERNETES_VERSION"
  rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$moddir" "$src" && chmod -R u+w "$src"
  rm -f "$src/go.work" "$src/go.work.sum"
  sed -i -E "s#^(\s*k8s.io/[a-z-]+) => ./staging/src/k8s.io/[a-z-]+#\1 => \1 v0.${KUBERNETES_VERSION#1.}#" "$src/go.mod"
  grep -q '=> ./staging' "$src/go.mod" && die kubernetes "$log" "go.mod still points at ./staging after the rewrite"
  local d
  for d in etcd coredns netpol tools; do
    mkdir -p "$src/cmd/nudge-$d" && cp "$NUDGE_ROOT/scripts/cluster/go/$d/"*.go "$src/cmd/nudge-$d/"
  done
  (cd "$src" && go get "github.com/coredns/coredns@v$COREDNS_VERSION" "github.com/cloudnativelabs/kube-router/v2@v$KUBE_ROUTER_VERSION" \
     "helm.sh/helm/v3@v$HELM_VERSION" && go mod tidy -e) >>"$log" 2>&1 ||
    die kubernetes "$log" "go get of coredns/kube-router/helm into the kubernetes module failed (module proxy reachable?)"
  echo "$src"
}

ensure_cluster_binaries() {
  install_once cluster-binaries "$CLUSTER_BIN/.nudge-build" "$(cluster_bin_build_id)" build_cluster_binaries
  step cluster "binaries ready in $CLUSTER_BIN"
}

build_cluster_binaries() {
  command -v go >/dev/null || die cluster-binaries "-" "no Go toolchain on PATH: install Go ≥ 1.26 (/usr/local/go/bin)"
  local log="$LOG_DIR/cluster-binaries.log" start=$SECONDS src
  : >"$log"
  step cluster "preparing k8s.io/kubernetes@v$KUBERNETES_VERSION + coredns, kube-router, helm from the Go module proxy"
  src=$(prepare_kubernetes_source "$log")
  rm -rf "$CLUSTER_BIN.tmp" && mkdir -p "$CLUSTER_BIN.tmp"
  step cluster "building kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl, etcd, coredns, netpol, helm in one go build (cold: ~30 CPU-minutes; log: $log)"
  with_progress "cluster: go build" "$log.build" bash -c "cd '$src' && CGO_ENABLED=0 GOFLAGS='$GOFLAGS -mod=mod' \
      nice -n 10 go build -v -trimpath -ldflags '$(cluster_ldflags)' -o '$CLUSTER_BIN.tmp/' \
      ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/kubelet ./cmd/kube-proxy ./cmd/kubectl \
      ./cmd/nudge-etcd ./cmd/nudge-coredns ./cmd/nudge-netpol helm.sh/helm/v3/cmd/helm" ||
    { cat "$log.build" >>"$log"; die cluster-binaries "$log" "go build in the kubernetes module failed (disk space? Go ≥ 1.26?)"; }
  cat "$log.build" >>"$log"; rm -f "$log.build"
  local b; for b in etcd coredns netpol; do mv "$CLUSTER_BIN.tmp/nudge-$b" "$CLUSTER_BIN.tmp/$b"; done
  build_pause "$src" "$CLUSTER_BIN.tmp" "$log"
  rm -rf "$CLUSTER_BIN" && mv "$CLUSTER_BIN.tmp" "$CLUSTER_BIN"
  step cluster "binaries built in $((SECONDS - start))s ($(du -sh "$CLUSTER_BIN" | cut -f1) in $CLUSTER_BIN)"
}

# pause: the pod sandbox's init process, from build/pause/linux/pause.c in the same zip.
build_pause() { # SRC OUT LOG
  command -v gcc >/dev/null || die pause "$3" "no C compiler for the pause binary: apt-get install gcc libc6-dev"
  gcc -Os -static -DVERSION="nudge-$KUBERNETES_VERSION" -o "$2/pause" "$1/build/pause/linux/pause.c" >>"$3" 2>&1 ||
    die pause "$3" "gcc -static of build/pause/linux/pause.c failed (apt-get install libc6-dev)"
  strip "$2/pause" 2>/dev/null || true
}

# The Dapr control plane's Kubernetes-only binaries; daprd, placement, scheduler and sentry come
# from the local stack's build (ensure_dapr), from the same source copy with the same flags.
dapr_control_plane_build_id() { echo "dapr $DAPR_VERSION operator injector; $(go env GOVERSION 2>/dev/null)"; }

ensure_dapr_control_plane() {
  ensure_dapr
  install_once dapr-control-plane "$DAPR_CP_BIN/.nudge-build" "$(dapr_control_plane_build_id)" build_dapr_control_plane
  step cluster "Dapr $DAPR_VERSION control plane binaries ready in $DAPR_CP_BIN"
}

build_dapr_control_plane() {
  local log="$LOG_DIR/dapr-control-plane-build.log" src="$NUDGE_CACHE/src/dapr-$DAPR_VERSION" start=$SECONDS
  [ -d "$src/cmd/operator" ] || die dapr-control-plane "$log" "no Dapr source copy in $src (ensure_dapr prepares it when it builds daprd): remove $DAPR_BIN_DIR/.nudge-build to rebuild"
  rm -rf "$DAPR_CP_BIN.tmp" && mkdir -p "$DAPR_CP_BIN.tmp"
  local ldflags="-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION"
  step cluster "building Dapr operator and injector $DAPR_VERSION in one go build (cold: a few CPU-minutes beyond daprd; log: $log)"
  with_progress "cluster: dapr control plane" "$log" bash -c "cd '$src' && nice -n 10 go build -v -trimpath -tags allcomponents \
      -ldflags '$ldflags' -o '$DAPR_CP_BIN.tmp/' ./cmd/operator ./cmd/injector" ||
    die dapr-control-plane "$log" "go build of the Dapr control plane failed (disk space? module proxy reachable?)"
  rm -rf "$DAPR_CP_BIN" && mv "$DAPR_CP_BIN.tmp" "$DAPR_CP_BIN"
  step cluster "Dapr control plane built in $((SECONDS - start))s"
}
