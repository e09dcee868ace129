# syntax=docker/dockerfile:1.7
# One image per service, from one self-contained `bun build --compile` executable:
#   docker buildx build --build-arg SERVICE=task-api --platform linux/amd64,linux/arm64 -t … .
# The image runs `<service> serve` by default; `<service> migrate` (the Deployments' init container)
# applies the service's embedded SQL migrations and exits. No shell, no package manager, uid 65532.
ARG BUN_VERSION=1.4.4

# Only the workspace manifests, so the dependency install below is reused while source changes:
# their bytes are the same, and so is the layer copied from here.
FROM --platform=$BUILDPLATFORM oven/bun:${BUN_VERSION} AS manifests
WORKDIR /src
COPY packages packages
COPY services services
RUN find packages services -type f ! -name package.json -delete && find packages services -type d -empty -delete

# The build stage runs on the builder's own platform and cross-compiles for the target one:
# Bun fetches the target's runtime from the npm registry, so arm64 (OKE Ampere) needs no emulation.
FROM --platform=$BUILDPLATFORM oven/bun:${BUN_VERSION} AS build
ARG TARGETARCH
WORKDIR /src
COPY package.json bun.lock bunfig.toml tsconfig.json ./
COPY patches patches
COPY --from=manifests /src ./
COPY tests/package.json tests/package.json
RUN --mount=type=cache,target=/root/.bun/install/cache \
    bun install --frozen-lockfile --production --ignore-scripts
COPY packages packages
COPY services services
COPY scripts/compile-service.ts scripts/compile-service.ts
# Declared only now: a build argument is part of every later step's cache key, so the six
# services share everything above (the dependency install above all).
ARG SERVICE
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
