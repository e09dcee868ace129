# syntax=docker/dockerfile:1.7
# One image per service, from one self-contained `bun build --compile` executable:
#   docker buildx build --build-arg SERVICE=task-api --platform linux/amd64,linux/arm64 -t … .
# The image runs `<service> serve` by default; `<service> migrate` (the Kubernetes migration Job)
# applies the service's embedded SQL migrations and exits. No shell, no package manager, uid 65532.
ARG BUN_VERSION=1.4.4

# The build stage runs on the builder's own platform and cross-compiles for the target one:
# Bun fetches the target's runtime from the npm registry, so arm64 (OKE Ampere) needs no emulation.
FROM --platform=$BUILDPLATFORM oven/bun:${BUN_VERSION} AS build
ARG SERVICE
ARG TARGETARCH
WORKDIR /src
# Manifests first, so dependency layers are reused while only source changes.
COPY package.json bun.lock bunfig.toml tsconfig.json ./
COPY patches patches
COPY packages packages
COPY services services
COPY tests/package.json tests/package.json
COPY scripts/compile-service.ts scripts/compile-service.ts
RUN --mount=type=cache,target=/root/.bun/install/cache \
    bun install --frozen-lockfile --production --ignore-scripts
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<folder under services/>" >&2; exit 1; }; \
    case "$TARGETARCH" in amd64) target=bun-linux-x64 ;; arm64) target=bun-linux-arm64 ;; \
      *) echo "unsupported TARGETARCH $TARGETARCH" >&2; exit 1 ;; esac; \
    bun scripts/compile-service.ts "$SERVICE" /out/service --target "$target"

# distroless/cc: glibc and libstdc++ that the Bun runtime links against, CA certificates, tzdata,
# and nothing else. The nonroot tag runs as uid/gid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
ARG SERVICE
ARG REVISION=unknown
ARG VERSION=dev
# release.yml passes the repository URL and the commit; local builds may leave them out.
ARG SOURCE=""
LABEL org.opencontainers.image.title="nudge-${SERVICE}" \
      org.opencontainers.image.description="Nudge ${SERVICE}: a bun build --compile executable" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build --chown=0:0 --chmod=0555 /out/service /app/service
USER 65532:65532
# Read-only root filesystem friendly: nothing is written outside /tmp, which Kubernetes mounts
# as an emptyDir.
WORKDIR /tmp
ENV NODE_ENV=production
ENTRYPOINT ["/app/service"]
CMD ["serve"]
