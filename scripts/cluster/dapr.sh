# The Dapr control plane from the chart inside the github.com/dapr/dapr module (the version
# the local stack runs), rendered by Helm with the chart's defaults — what `dapr init -k` or
# `helm install dapr dapr/dapr` gives a minikube user — and only the image names changed to
# the locally built ones. Sourced by scripts/cluster/cluster.sh.

dapr_chart_dir() {
  local moddir
  moddir=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" 2>/dev/null | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$moddir/charts/dapr" ] || die dapr-chart "-" "the Go module proxy did not serve github.com/dapr/dapr v$DAPR_VERSION"
  echo "$moddir/charts/dapr"
}

install_dapr() {
  local start=$SECONDS chart log="$CLUSTER_LOGS/dapr-install.log" rendered="$CLUSTER_STATE/dapr-control-plane.yaml"
  chart=$(dapr_chart_dir)
  step cluster "Dapr $DAPR_VERSION control plane: helm template $chart (CRDs first)"
  "$CLUSTER_BIN/helm" template dapr "$chart" --namespace dapr-system --include-crds \
    --kube-version "$KUBERNETES_VERSION" \
    --set "global.registry=$DAPR_REGISTRY" --set "global.tag=$DAPR_VERSION" --set global.imagePullPolicy=Never \
    >"$rendered" 2>"$log" || die dapr-install "$log" "helm template of the Dapr chart failed"
  # Installed once per cluster life: the operator and injector then own the CA bundles in the
  # CRDs and the webhook, which a second apply would take back.
  local digest; digest=$(sha256sum <"$rendered" | cut -c1-16)
  if [ "$(cat "$CLUSTER_STATE/dapr-installed" 2>/dev/null)" = "$digest" ]; then
    step cluster "Dapr $DAPR_VERSION control plane already installed"; return
  fi
  kubectl_admin create namespace dapr-system >>"$log" 2>&1 || true
  # CRDs first: the Configuration, Component … objects in the chart need their kinds.
  bun -e '
    const docs = (await Bun.file(process.argv[1]).text()).split(/^---\s*$/m);
    const crd = docs.filter((d) => /^kind: CustomResourceDefinition/m.test(d));
    await Bun.write(process.argv[2], crd.join("\n---\n"));
    await Bun.write(process.argv[3], docs.filter((d) => !crd.includes(d)).join("\n---\n"));
  ' "$rendered" "$rendered.crds" "$rendered.rest"
  kubectl_admin apply --server-side -f "$rendered.crds" >>"$log" 2>&1 || die dapr-install "$log" "the Dapr CRDs were refused"
  kubectl_admin wait --for=condition=Established crd --all --timeout=60s >>"$log" 2>&1 ||
    die dapr-install "$log" "the Dapr CRDs did not become Established"
  kubectl_admin apply --server-side -f "$rendered.rest" >>"$log" 2>&1 ||
    die dapr-install "$log" "the Dapr control plane manifests were refused"
  # The injector must answer before any Nudge pod is created (or it runs without a sidecar);
  # placement and the schedulers only need to be up by the time the sidecars are, so the
  # overlay is applied meanwhile and dapr_ready checks them afterwards.
  wait_rollouts dapr-system 300 deployment/dapr-sentry deployment/dapr-operator deployment/dapr-sidecar-injector
  echo "$digest" >"$CLUSTER_STATE/dapr-installed"
  CLUSTER_TIMES+=("dapr install $((SECONDS - start))s")
  step cluster "Dapr sentry, operator and sidecar injector Ready in $((SECONDS - start))s"
}

dapr_ready() {
  wait_rollouts dapr-system 300 statefulset/dapr-placement-server statefulset/dapr-scheduler-server \
    deployment/dapr-sentry deployment/dapr-operator deployment/dapr-sidecar-injector
}
