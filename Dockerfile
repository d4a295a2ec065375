# syntax=docker/dockerfile:1
#
# ServingStack inference runtime, CPU image (docs/runtime.md, "Container image").
#
#   docker build -t servingstack-runtime .
#   docker build --build-arg BASE_IMAGE=registry.example.com/mirror/node:26-trixie-slim -t servingstack-runtime .
#   docker run --rm -p 8080:8080 -v "$PWD/examples/models/breast-cancer:/opt/ml/model:ro" servingstack-runtime
#
# GPU (CUDA 12) variant: docker/Dockerfile.cuda.

# Both stages start from this image, so a registry mirror has to provide only one. It must be
# glibc-based (Debian/Ubuntu): onnxruntime-node ships no musl (Alpine) binaries.
# Node 26: the Active LTS line (since October 2026, supported until April 2029); Node 20 reached
# end of life in April 2026 and Node 24 is in maintenance only. Debian 13 (trixie): current
# stable. onnxruntime-node is an N-API addon, so its binaries do not depend on the Node version.
# .ci/run runs the runtime tests on this Node major as well (test/docs/dockerfile.test.ts).
ARG BASE_IMAGE=node:26-trixie-slim

# ---------------------------------------------------------------------------------------------
# build: install, compile TypeScript to dist/, drop dev dependencies and foreign binaries
# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS build
WORKDIR /opt/servingstack

# onnxruntime-node's install script downloads CUDA provider libraries from NuGet on linux/x64.
# The CPU image needs none of them: the CPU binaries ship inside the npm package.
ENV ONNXRUNTIME_NODE_INSTALL=skip

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The runtime is lib/ plus its own entrypoint (bin/serve.ts: only the `serve` command), compiled
# with tsconfig.runtime.json. Not copied: constructs/, the CDK app and the other CLI commands. They
# never run in the image, and they import IaC packages the image must not carry.
COPY tsconfig.json tsconfig.runtime.json ./
COPY lib/ lib/
COPY bin/serve.ts bin/cli-main.ts bin/
COPY bin/commands/serve.ts bin/commands/
RUN npx tsc -p tsconfig.runtime.json \
 && npm prune --omit=dev --no-audit --no-fund

# onnxruntime-node carries binaries for darwin, win32 and both Linux architectures (~290 MB).
# Keep bin/napi-v6/linux/<arch> for the architecture being built only. BuildKit sets TARGETARCH;
# the legacy builder does not, so fall back to the build container's own architecture.
ARG TARGETARCH
RUN set -eu; \
    arch="${TARGETARCH:-$(dpkg --print-architecture)}"; \
    case "$arch" in \
      amd64) ort_arch=x64 ;; \
      arm64) ort_arch=arm64 ;; \
      *) echo "unsupported architecture '$arch': onnxruntime-node ships linux x64 and arm64 only" >&2; exit 1 ;; \
    esac; \
    ort_bin=node_modules/onnxruntime-node/bin/napi-v6; \
    rm -rf "$ort_bin/darwin" "$ort_bin/win32"; \
    find "$ort_bin/linux" -mindepth 1 -maxdepth 1 ! -name "$ort_arch" -exec rm -rf {} +; \
    test -f "$ort_bin/linux/$ort_arch/onnxruntime_binding.node"

# ---------------------------------------------------------------------------------------------
# runtime
# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime

# ONNX Runtime's StringNormalizer operator constructs the en_US.UTF-8 locale by name and fails
# ("Failed to construct locale with name:en_US.UTF-8") where it is missing, as in slim images.
# Build with --build-arg EN_US_LOCALE=false to skip this step (no apt access, no such models).
ARG EN_US_LOCALE=true
RUN if [ "$EN_US_LOCALE" = "true" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends locales \
      && sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen \
      && locale-gen \
      && rm -rf /var/lib/apt/lists/*; \
    fi
ENV LANG=en_US.UTF-8

# Non-root by default (uid 10001). SageMaker's documentation still says containers are expected
# to run as root; the runtime only reads /opt/ml/model (mounted readable) and writes only under
# /tmp (AIP_STORAGE_URI downloads), so it runs as this user wherever the model mount is readable.
# Where a platform insists on root:
#   docker build --build-arg RUNTIME_USER=root -t servingstack-runtime .
ARG RUNTIME_USER=10001
RUN groupadd --system --gid 10001 servingstack \
 && useradd --system --uid 10001 --gid servingstack --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin servingstack

WORKDIR /opt/servingstack
# Owned by root and read-only for the runtime user.
COPY --from=build /opt/servingstack/package.json ./package.json
COPY --from=build /opt/servingstack/node_modules/ ./node_modules/
COPY --from=build /opt/servingstack/dist/ ./dist/

ENV NODE_ENV=production

# SageMaker: the runtime listens on SAGEMAKER_BIND_TO_PORT (inference pipelines) and serves
# multi-model endpoints (SAGEMAKER_MULTI_MODEL=true, /models routes).
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true \
      com.amazonaws.sagemaker.capabilities.multi-models=true

EXPOSE 8080

# No HEALTHCHECK: SageMaker, Vertex AI, Azure ML and Kubernetes ignore it and probe the HTTP
# routes themselves (/ping, AIP_HEALTH_ROUTE, /ready, /v2/health/live|ready).

USER ${RUNTIME_USER}

# Exec form, so node is PID 1 and receives SIGTERM (it drains, then exits). SageMaker starts the
# container as `docker run <image> serve`, which replaces CMD.
ENTRYPOINT ["node", "/opt/servingstack/dist/bin/serve.js"]
CMD ["serve"]
