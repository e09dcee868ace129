# Certificates for one life of the test cluster (openssl; recreated by every `cluster up`):
# a CA, the API server's serving certificate, the service-account signing key, and client
# certificates for the admin (system:masters) and the kubelet (system:node:<node>).
# Sourced by scripts/cluster/cluster.sh.

pki_client_cert() { # NAME CN ORG
  local dir="$CLUSTER_STATE/pki" subj="/CN=$2"
  [ -n "$3" ] && subj="/O=$3/CN=$2"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$dir/$1.key" \
    -subj "$subj" -out "$dir/$1.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
    -extfile <(printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n') -out "$dir/$1.crt" 2>/dev/null
}

pki_kubeconfig() { # NAME (certificate NAME.crt/.key) → NAME.kubeconfig
  write_node_config kubeconfig "$CLUSTER_STATE/pki/$1.kubeconfig" "$1"
}

create_pki() {
  local dir="$CLUSTER_STATE/pki" log="$CLUSTER_LOGS/pki.log"
  command -v openssl >/dev/null || die pki "-" "openssl missing: apt-get install openssl"
  rm -rf "$dir" && mkdir -p "$dir"
  {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj "/CN=nudge-cluster-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -keyout "$dir/ca.key" -out "$dir/ca.crt"
    local kubernetes_ip; kubernetes_ip=$(service_ip 1)
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$dir/apiserver.key" \
      -subj "/CN=kube-apiserver" -out "$dir/apiserver.csr"
    openssl x509 -req -in "$dir/apiserver.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
      -extfile <(printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
        "IP:$CLUSTER_NODE_IP,IP:$kubernetes_ip,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN") \
      -out "$dir/apiserver.crt"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/sa.key"
    openssl pkey -in "$dir/sa.key" -pubout -out "$dir/sa.pub"
  } >"$log" 2>&1 || die pki "$log" "openssl could not create the cluster CA and serving certificates"
  pki_client_cert admin admin system:masters
  pki_client_cert kubelet "system:node:$CLUSTER_NODE_NAME" system:nodes
  pki_client_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  pki_kubeconfig admin
  pki_kubeconfig kubelet
  chmod 600 "$dir"/*.key
}

# service_ip N — the N-th address of the service CIDR (1: the kubernetes Service).
service_ip() { local base=${CLUSTER_SERVICE_CIDR%/*}; echo "${base%.*}.$1"; }
