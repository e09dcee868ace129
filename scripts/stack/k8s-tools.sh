# Tools that validate the Kubernetes manifests and the GitHub workflows, built once into the cache:
#   kustomize, kubeconform, actionlint   go install from the Go module proxy → $K8S_TOOLS_DIR/bin
#   Kubernetes JSON schemas              from the kubernetes-validate wheel on PyPI (it ships them
#                                         per Kubernetes version) → $K8S_TOOLS_DIR/schemas/kubernetes
#   Dapr CRD schemas                     converted from the CRDs in the github.com/dapr/dapr module
#                                         → $K8S_TOOLS_DIR/schemas/dapr
# Sourced by ./nudge (ensure_k8s_tools); also runnable on its own: bash scripts/stack/k8s-tools.sh

if [ "${BASH_SOURCE[0]}" = "$0" ]; then # run on its own: load the shared helpers first
  set -euo pipefail
  NUDGE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  for f in common bun; do source "$NUDGE_ROOT/scripts/stack/$f.sh"; done
  [ -d /usr/local/go/bin ] && export PATH="/usr/local/go/bin:$PATH"
  export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
  K8S_TOOLS_STANDALONE=1
fi

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-5.8.2}"        # kustomize/api v0.21.2; 5.8.3 needs Go 1.27
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-0.8.0}"
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-1.7.12}"
# The Kubernetes API version manifests are validated against (minikube's default and OKE's current).
KUBERNETES_SCHEMA_VERSION="${KUBERNETES_SCHEMA_VERSION:-1.34.0}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}" # ships schemas for 1.25–1.37
K8S_TOOLS_DIR="$NUDGE_CACHE/tools/k8s"
# go_tool NAME PACKAGE VERSION — go install PACKAGE@vVERSION unless that version is already built.
go_tool() {
  install_once "go-tool-$1" "$K8S_TOOLS_DIR/bin/.$1.version" "$3" install_go_tool "$@"
}

install_go_tool() { # NAME PACKAGE VERSION
  local name=$1 pkg=$2 version=$3 bin="$K8S_TOOLS_DIR/bin" log="$LOG_DIR/k8s-tools-$1.log"
  command -v go >/dev/null || die "$name" "-" "no Go toolchain on PATH: install Go ≥ 1.26 (/usr/local/go/bin)"
  local start=$SECONDS
  step "$name" "building $pkg@v$version with Go (first time only; log: $log)"
  mkdir -p "$bin"
  with_progress "$name: go install" "$log" env GOBIN="$bin" go install -trimpath -ldflags "-s -w" "$pkg@v$version" ||
    die "$name" "$log" "go install $pkg@v$version failed (Go module proxy reachable? Go ≥ 1.26?)"
  step "$name" "built in $((SECONDS - start))s"
}

ensure_kubernetes_schemas() {
  install_once schemas-kubernetes "$K8S_TOOLS_DIR/schemas/kubernetes/.source" \
    "v$KUBERNETES_SCHEMA_VERSION from kubernetes-validate $KUBERNETES_VALIDATE_VERSION" extract_kubernetes_schemas
}

extract_kubernetes_schemas() {
  local dir="$K8S_TOOLS_DIR/schemas/kubernetes" log="$LOG_DIR/k8s-tools-schemas-kubernetes.log" wheels="$NUDGE_CACHE/pip/wheels" pip
  if command -v pip3 >/dev/null; then pip=(pip3); elif command -v pip >/dev/null; then pip=(pip); else pip=(python3 -m pip); fi
  step schemas "Kubernetes $KUBERNETES_SCHEMA_VERSION JSON schemas from PyPI (kubernetes-validate $KUBERNETES_VALIDATE_VERSION)"
  mkdir -p "$wheels"
  "${pip[@]}" download --quiet --no-deps --dest "$wheels" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >"$log" 2>&1 ||
    die schemas "$log" "pip could not download kubernetes-validate (apt-get install python3-pip; PyPI reachable?)"
  rm -rf "$dir" && mkdir -p "$dir"
  bun "$NUDGE_ROOT/scripts/k8s/schemas.ts" kubernetes \
    "$wheels/kubernetes_validate-$KUBERNETES_VALIDATE_VERSION-py3-none-any.whl" "v$KUBERNETES_SCHEMA_VERSION" "$dir" >>"$log" 2>&1 ||
    die schemas "$log" "could not extract the Kubernetes schemas from the wheel"
}

ensure_dapr_schemas() {
  install_once schemas-dapr "$K8S_TOOLS_DIR/schemas/dapr/.source" "dapr $DAPR_VERSION" convert_dapr_schemas
}

convert_dapr_schemas() {
  local dir="$K8S_TOOLS_DIR/schemas/dapr" log="$LOG_DIR/k8s-tools-schemas-dapr.log" moddir
  step schemas "Dapr $DAPR_VERSION CRD schemas from the github.com/dapr/dapr module"
  moddir=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" 2>>"$log" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$moddir/charts/dapr/crds" ] || die schemas "$log" "the Go module proxy did not serve dapr v$DAPR_VERSION"
  rm -rf "$dir" && mkdir -p "$dir"
  bun "$NUDGE_ROOT/scripts/k8s/schemas.ts" crds "$moddir/charts/dapr/crds" "$dir" >>"$log" 2>&1 ||
    die schemas "$log" "could not convert the Dapr CRDs to JSON schemas"
}

ensure_k8s_tools() {
  go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
  go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
  go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION"
  ensure_kubernetes_schemas
  ensure_dapr_schemas
  step k8s-tools "kustomize $KUSTOMIZE_VERSION, kubeconform $KUBECONFORM_VERSION, actionlint $ACTIONLINT_VERSION, schemas for Kubernetes $KUBERNETES_SCHEMA_VERSION + Dapr $DAPR_VERSION in $K8S_TOOLS_DIR"
}

if [ -n "${K8S_TOOLS_STANDALONE:-}" ]; then
  ensure_bun
  ensure_k8s_tools
fi
