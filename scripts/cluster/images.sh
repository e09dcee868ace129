# Container images without a registry: base images from Debian packages (mmdebstrap), built
# and tagged with the names the Dockerfiles and manifests use, then imported into the
# cluster's containerd. Podman's storage and containerd's content store live in the cache,
# so a warm run rebuilds nothing. Sourced by scripts/cluster/cluster.sh.

# write_if_changed FILE < TEXT — replaced in one rename, and only when TEXT differs: another
# ./nudge command's podman may be reading FILE at this moment.
write_if_changed() {
  local tmp; tmp="$1.$$.new"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

# Podman and buildah read these instead of /etc/containers: our own storage, runc (crun
# refuses the hybrid cgroup layout), the rlimits the sandbox can't raise, no registry search.
podman_env() {
  mkdir -p "$CONTAINERS_HOME/storage" "$CONTAINERS_HOME/tmp"
  write_if_changed "$CONTAINERS_HOME/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
image_copy_tmp_dir = "$CONTAINERS_HOME/tmp"
CONF
  write_if_changed "$CONTAINERS_HOME/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$CONTAINERS_HOME/storage"
runroot = "/run/nudge-containers$(echo "$CONTAINERS_HOME" | sha256sum | cut -c1-8)"
CONF
  write_if_changed "$CONTAINERS_HOME/registries.conf" <<CONF
unqualified-search-registries = []
short-name-mode = "disabled"
CONF
  export CONTAINERS_CONF="$CONTAINERS_HOME/containers.conf" CONTAINERS_STORAGE_CONF="$CONTAINERS_HOME/storage.conf" \
    CONTAINERS_REGISTRIES_CONF="$CONTAINERS_HOME/registries.conf" TMPDIR="$CONTAINERS_HOME/tmp"
}

# with_images_lock CMD… — one build at a time of the images the suite's Testcontainers and the
# cluster share (base, PostgreSQL, Kafka: same tags, same build folders), since .ci/run builds
# both side by side. The lock is dropped when CMD returns (or the script dies); a second caller
# then finds the images built. The Nudge images, which only the cluster runs, are built under a
# lock of their own (with_nudge_images_lock): the suite does not wait minutes for them.
with_images_lock() { with_store_lock images "$@"; }
with_nudge_images_lock() { with_store_lock nudge-images "$@"; }

with_store_lock() { # NAME CMD…
  local lock status name=$1; shift
  mkdir -p "$CONTAINERS_HOME"
  exec {lock}>"$CONTAINERS_HOME/$name.lock"
  flock "$lock"
  # Not `"$@" || …`: that would switch off set -e inside CMD.
  "$@"
  status=$?
  exec {lock}>&-
  return "$status"
}

empty_context() { mkdir -p "$CONTAINERS_HOME/empty-context" && echo "$CONTAINERS_HOME/empty-context"; }

image_exists() { podman image exists "$1" 2>/dev/null; }

# image_key FILE|DIR… — a content hash of build inputs (paths and bytes), for tags.
image_key() {
  local f
  for f in "$@"; do
    if [ -d "$f" ]; then find "$f" -type f -not -path '*/node_modules/*' | LC_ALL=C sort; else echo "$f"; fi
  done | while read -r f; do printf '%s %s\n' "$f" "$(sha256sum <"$f" | cut -c1-16)"; done | sha256sum | cut -c1-12
}

# mmdebstrap_image TAG VARIANT PACKAGES HOOK… — a Debian root filesystem imported as TAG.
mmdebstrap_image() {
  local tag=$1 variant=$2 packages=$3; shift 3
  image_exists "$tag" && return
  command -v mmdebstrap >/dev/null || die images "-" "mmdebstrap missing: apt-get install mmdebstrap"
  local log="$CLUSTER_LOGS/image-$(echo "$tag" | tr '/:' '__').log" tar="$CONTAINERS_HOME/tmp/rootfs-$$.tar" start=$SECONDS
  # man pages are left out, but update-alternatives still links into man1 (the JRE's postinst).
  step images "$tag: mmdebstrap --variant=$variant $DEBIAN_SUITE ($packages)"
  with_progress "images: $tag" "$log" nice -n 10 mmdebstrap --quiet --variant="$variant" --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --setup-hook='mkdir -p "$1/usr/share/man/man1"' "$@" "$DEBIAN_SUITE" "$tar" ||
    die images "$log" "mmdebstrap of $tag failed (Debian mirror reachable? apt-get install mmdebstrap)"
  podman import --quiet "$tar" "$tag" >>"$log" 2>&1 || die images "$log" "podman import of $tag failed"
  rm -f "$tar"
  record_install "image $tag" "$start"
}

# A distroless/cc equivalent: glibc, libstdc++, OpenSSL, tzdata, CA certificates, netbase,
# users root and nonroot (65532). extract skips maintainer scripts, so the CA bundle and the
# user database are written by hooks.
CC_BASE=nudge.local/base/cc-debian12
ensure_base_images() {
  local hooks=(
    --customize-hook='mkdir -p "$1/etc/ssl/certs" "$1/tmp" "$1/home/nonroot" && chmod 1777 "$1/tmp" && chown 65532:65532 "$1/home/nonroot"'
    --customize-hook='cat "$1"/usr/share/ca-certificates/mozilla/*.crt >"$1/etc/ssl/certs/ca-certificates.crt"'
    --customize-hook='printf "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n" >"$1/etc/passwd"'
    --customize-hook='printf "root:x:0:\nnonroot:x:65532:\n" >"$1/etc/group"'
  )
  mmdebstrap_image "$CC_BASE:rootfs" extract libc6,libgcc-s1,libstdc++6,libssl3,tzdata,ca-certificates,netbase "${hooks[@]}"
  # What the Dockerfile's final stage names, as the nonroot tag is: uid 65532.
  build_image gcr.io/distroless/cc-debian12:nonroot "$(printf 'FROM %s:rootfs\nUSER 65532:65532\n' "$CC_BASE")" "$(empty_context)"
  mmdebstrap_image nudge.local/base/debian:"$DEBIAN_SUITE" minbase ca-certificates
}

# build_image TAG CONTAINERFILE_TEXT CONTEXT [BUILD ARGS…] — skipped when TAG exists.
build_image() {
  local tag=$1 containerfile=$2 context=$3; shift 3
  image_exists "$tag" && return
  local log="$CLUSTER_LOGS/image-$(echo "$tag" | tr '/:' '__').log" start=$SECONDS
  step images "building $tag"
  printf '%s\n' "$containerfile" >"$CONTAINERS_HOME/tmp/Containerfile.$$"
  with_progress "images: $tag" "$log" nice -n 10 podman build --quiet --pull=never --network=host \
    -f "$CONTAINERS_HOME/tmp/Containerfile.$$" -t "$tag" "$@" "$context" ||
    die images "$log" "podman build of $tag failed"
  rm -f "$CONTAINERS_HOME/tmp/Containerfile.$$"
  record_install "image $tag" "$start"
}

# What the Dockerfile's build stage names: Debian with Bun from the npm registry (the same
# binary ./nudge runs) and the machine's CA bundle, so `bun install` inside the build trusts
# whatever TLS interception the machine's network does.
ensure_bun_image() {
  local tag="oven/bun:$BUN_VERSION" ctx="$CONTAINERS_HOME/context-bun"
  image_exists "docker.io/$tag" && return
  rm -rf "$ctx" && mkdir -p "$ctx"
  local bin; bin=$(readlink -f "$(command -v bun)")
  ln -f "$bin" "$ctx/bun" 2>/dev/null || cp "$bin" "$ctx/bun"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
  build_image "docker.io/$tag" "FROM nudge.local/base/debian:$DEBIAN_SUITE
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY bun /usr/local/bin/bun
RUN ln -s bun /usr/local/bin/bunx && mkdir -p /home/bun/app
WORKDIR /home/bun/app
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" "$ctx"
  rm -rf "$ctx"
}

# The six Nudge images from the project's own Dockerfile, tagged by the hash of the build
# context (what .dockerignore lets in) and re-tagged :dev, the tag kustomize/minikube uses.
NUDGE_IMAGES=(task-api notification-service recurrence-service audit-service realtime-gateway mail-capture)
nudge_context_key() {
  (cd "$NUDGE_ROOT" && image_key Dockerfile .dockerignore package.json bun.lock bunfig.toml tsconfig.json patches \
    packages services tests/package.json scripts/compile-service.ts) | cut -c1-12
}

ensure_nudge_images() {
  ensure_bun_image
  local key s tag log t start=$SECONDS
  key=$(nudge_context_key)
  for s in "${NUDGE_IMAGES[@]}"; do
    tag="docker.io/library/nudge-$s:$key"
    if ! image_exists "$tag"; then
      log="$CLUSTER_LOGS/image-nudge-$s.log" t=$SECONDS
      step images "nudge-$s from the Dockerfile (context $key)"
      with_progress "images: nudge-$s" "$log" nice -n 10 podman build --pull=never --network=host --layers \
        --build-arg "SERVICE=$s" --build-arg "VERSION=$key" -t "$tag" -f "$NUDGE_ROOT/Dockerfile" "$NUDGE_ROOT" ||
        die images "$log" "podman build of nudge-$s failed"
      record_install "image $tag" "$t"
    fi
    podman tag "$tag" "docker.io/library/nudge-$s:dev"
  done
  NUDGE_IMAGE_KEY=$key
  step images "Nudge images ready (context $key, $((SECONDS - start))s)"
}

# PostgreSQL for the overlay's StatefulSet: Debian's server with the official image's
# environment contract; uid 70, as the Alpine image the manifest names.
PG_MAJOR="${CLUSTER_PG_MAJOR:-15}"
POSTGRES_IMAGE="nudge.local/postgres:$PG_MAJOR"
ensure_postgres_image() {
  local rootfs="nudge.local/base/postgres-rootfs:$PG_MAJOR"
  mmdebstrap_image "$rootfs" minbase "postgresql-$PG_MAJOR" \
    --customize-hook='chroot "$1" groupmod -g 70 postgres && chroot "$1" usermod -u 70 -g 70 postgres' \
    --customize-hook='rm -rf "$1/var/lib/postgresql/'"$PG_MAJOR"'" "$1/etc/postgresql/'"$PG_MAJOR"'" && mkdir -p "$1/var/run/postgresql" "$1/var/lib/postgresql/data" && chown -R 70:70 "$1/var/run/postgresql" "$1/var/lib/postgresql"'
  local key; key=$(image_key "$NUDGE_ROOT/scripts/cluster/images/postgres-entrypoint.sh")
  image_exists "$POSTGRES_IMAGE-$key" || build_image "$POSTGRES_IMAGE-$key" "FROM $rootfs
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/$PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data
USER 70:70
ENTRYPOINT [\"/usr/local/bin/docker-entrypoint.sh\"]" "$NUDGE_ROOT/scripts/cluster/images"
  podman tag "$POSTGRES_IMAGE-$key" "$POSTGRES_IMAGE"
}

# Apache Kafka (KRaft) from the Maven Central artifacts the local stack resolves, on Debian's
# JRE; uid 101, as the Redpanda image the manifest names.
KAFKA_IMAGE="nudge.local/kafka:$KAFKA_VERSION"
ensure_kafka_image() {
  ensure_kafka_artifacts
  local rootfs="nudge.local/base/jre-rootfs:17"
  mmdebstrap_image "$rootfs" minbase openjdk-17-jre-headless \
    --customize-hook='chroot "$1" groupadd -g 101 kafka && chroot "$1" useradd -u 101 -g 101 -d /var/lib/kafka -M -s /usr/sbin/nologin kafka'
  local key ctx="$CONTAINERS_HOME/context-kafka"
  key=$(image_key "$NUDGE_ROOT/scripts/cluster/images/kafka-entrypoint.sh" "$NUDGE_ROOT/scripts/stack/kafka/log4j2.properties" "$KAFKA_HOME/libs")
  if ! image_exists "$KAFKA_IMAGE-$key"; then
    rm -rf "$ctx" && mkdir -p "$ctx" && cp -rl "$KAFKA_HOME/libs" "$ctx/libs" 2>/dev/null || cp -r "$KAFKA_HOME/libs" "$ctx/libs"
    cp "$NUDGE_ROOT/scripts/cluster/images/kafka-entrypoint.sh" "$NUDGE_ROOT/scripts/stack/kafka/log4j2.properties" "$ctx/"
    build_image "$KAFKA_IMAGE-$key" "FROM $rootfs
COPY libs /opt/kafka/libs
COPY log4j2.properties /opt/kafka/log4j2.properties
COPY kafka-entrypoint.sh /usr/local/bin/nudge-kafka
RUN mkdir -p /var/lib/kafka/data && chown -R 101:101 /var/lib/kafka
USER 101:101
ENTRYPOINT [\"/usr/local/bin/nudge-kafka\"]
CMD [\"serve\"]" "$ctx"
    rm -rf "$ctx"
  fi
  podman tag "$KAFKA_IMAGE-$key" "$KAFKA_IMAGE"
}

# The cluster's own images: pause (the sandbox), CoreDNS, and the Dapr control plane + daprd
# (one image holding the six binaries, tagged with the six names the chart asks for).
PAUSE_IMAGE="nudge.local/pause:$KUBERNETES_VERSION"
COREDNS_IMAGE="nudge.local/coredns:$COREDNS_VERSION"
DAPR_REGISTRY="nudge.local/dapr"
DAPR_IMAGES=(daprd operator injector sentry placement scheduler)
ensure_cluster_images() {
  local ctx="$CONTAINERS_HOME/context-cluster" key
  key=$(image_key "$CLUSTER_BIN/.nudge-build" "$DAPR_BIN_DIR/.nudge-build" "$DAPR_CP_BIN/.nudge-build")
  if ! image_exists "$PAUSE_IMAGE-$key" || ! image_exists "$COREDNS_IMAGE-$key" || ! image_exists "$DAPR_REGISTRY/daprd:$DAPR_VERSION-$key"; then
    rm -rf "$ctx" && mkdir -p "$ctx"
    local b
    for b in pause coredns; do ln -f "$CLUSTER_BIN/$b" "$ctx/$b" 2>/dev/null || cp "$CLUSTER_BIN/$b" "$ctx/$b"; done
    for b in daprd placement scheduler sentry; do ln -f "$DAPR_BIN_DIR/$b" "$ctx/$b" 2>/dev/null || cp "$DAPR_BIN_DIR/$b" "$ctx/$b"; done
    for b in operator injector; do ln -f "$DAPR_CP_BIN/$b" "$ctx/$b" 2>/dev/null || cp "$DAPR_CP_BIN/$b" "$ctx/$b"; done
    build_image "$PAUSE_IMAGE-$key" 'FROM scratch
COPY pause /pause
USER 65535:65535
ENTRYPOINT ["/pause"]' "$ctx"
    build_image "$COREDNS_IMAGE-$key" 'FROM gcr.io/distroless/cc-debian12:nonroot
COPY coredns /coredns
ENTRYPOINT ["/coredns"]' "$ctx"
    build_image "$DAPR_REGISTRY/daprd:$DAPR_VERSION-$key" 'FROM gcr.io/distroless/cc-debian12:nonroot
COPY daprd placement scheduler operator injector sentry /
WORKDIR /' "$ctx"
    rm -rf "$ctx"
  fi
  podman tag "$PAUSE_IMAGE-$key" "$PAUSE_IMAGE"
  podman tag "$COREDNS_IMAGE-$key" "$COREDNS_IMAGE"
  for b in "${DAPR_IMAGES[@]}"; do podman tag "$DAPR_REGISTRY/daprd:$DAPR_VERSION-$key" "$DAPR_REGISTRY/$b:$DAPR_VERSION"; done
}

# Every image the cluster runs, by the name its manifests use.
cluster_image_names() {
  echo "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$POSTGRES_IMAGE" "$KAFKA_IMAGE"
  local b; for b in "${DAPR_IMAGES[@]}"; do echo "$DAPR_REGISTRY/$b:$DAPR_VERSION"; done
  for b in "${NUDGE_IMAGES[@]}"; do echo "docker.io/library/nudge-$b:dev"; done
}

ensure_images() {
  local start=$SECONDS
  podman_env
  ensure_base_images
  ensure_cluster_images
  ensure_postgres_image
  ensure_kafka_image
  ensure_nudge_images
  prune_images
  step images "all images ready in $((SECONDS - start))s ($(du -sh "$CONTAINERS_HOME/storage" 2>/dev/null | cut -f1) in $CONTAINERS_HOME)"
}

# Only the current build of each image stays: older content tags, and the untagged images
# builds leave behind (a build stage per service), would grow the cache by gigabytes a commit.
prune_images() {
  local keep name
  keep=$(for name in $(cluster_image_names); do podman image inspect --format '{{.Id}}' "$name" 2>/dev/null; done)
  podman images --format '{{.Repository}}:{{.Tag}} {{.ID}}' 2>/dev/null |
    grep -E '^(docker.io/library/nudge-|nudge.local/(postgres|kafka|coredns|pause|dapr/))' |
    while read -r name id; do
      grep -q "^$id" <<<"$keep" || podman rmi "$name" >/dev/null 2>&1 || true
    done
  podman image prune -f >/dev/null 2>&1 || true
}

# import_images NAME… — into containerd's k8s.io namespace, the ones whose image id changed.
import_images() {
  local stamp="$CONTAINERD_ROOT/.nudge-imported" name id todo=() log="$CLUSTER_LOGS/image-import.log"
  touch "$stamp"
  local present keep=(); present=$(ctr_k8s images ls -q 2>/dev/null || true)
  for name in "$@"; do
    id=$(podman image inspect --format '{{.Id}}' "$name" 2>/dev/null) || die images "-" "image $name was not built"
    keep+=("$name" "sha256:$id")
    if ! grep -qxF "$name $id" "$stamp" || ! grep -qxF "$name" <<<"$present"; then todo+=("$name"); fi
  done
  # Anything else in containerd (an e2e run's release images, older builds) is removed.
  # (CRI names each image by its id too: sha256:<config digest>, the same id podman gives it.)
  local stale; stale=$(grep -vxF -f <(printf '%s\n' "${keep[@]}") <<<"$present" || true)
  [ -z "$stale" ] || ctr_k8s images rm $stale >/dev/null 2>&1 || true
  [ ${#todo[@]} -gt 0 ] || { step images "all $# images already in containerd"; return; }
  step images "importing ${#todo[@]} images into containerd: ${todo[*]}"
  local archive="$CONTAINERS_HOME/tmp/import-$$.tar"
  with_progress "images: import" "$log" bash -c "podman save --quiet -m --format docker-archive -o '$archive' ${todo[*]} &&
    ctr --address '$CONTAINERD_SOCK' -n k8s.io images import '$archive'" ||
    { rm -f "$archive"; die images "$log" "importing images into containerd failed (disk space?)"; }
  rm -f "$archive"
  for name in "${todo[@]}"; do
    id=$(podman image inspect --format '{{.Id}}' "$name")
    grep -vF "$name " "$stamp" >"$stamp.new" || true
    echo "$name $id" >>"$stamp.new" && mv "$stamp.new" "$stamp"
  done
}
