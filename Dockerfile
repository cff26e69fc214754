# plaintap's container image: build the eBPF object, the native addon and the TypeScript, then a
# slim Debian runtime with Node 20 (Debian trixie's nodejs) and only what the agent loads.
#
#   docker build -t plaintap .                      # or: buildah build --isolation chroot -t plaintap .
#   docker build --build-arg BASE_IMAGE=debian:trixie-slim -t plaintap .
#   … --secret id=ca,src=/path/proxy-ca.crt     # npm behind a TLS-intercepting proxy
#
# BASE_IMAGE is any Debian trixie image (the tests import one made with debootstrap:
# scripts/build-base-image.sh). The BPF object is CO-RE: built once against the build host's
# kernel BTF, it loads on any kernel with BTF.
ARG BASE_IMAGE=debian:trixie-slim

FROM ${BASE_IMAGE} AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends \
      clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool make g++ pkg-config python3 \
      nodejs npm libnode-dev ca-certificates >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the native addon is built below, after the BPF skeleton it includes.
# Behind a TLS-intercepting proxy, give its CA as a build secret: --secret id=ca,src=FILE.
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bpf bpf
COPY native native
COPY scripts/build-native.js scripts/
COPY agent agent
# vmlinux.h from the build host's BTF when it is visible, else a BTF file passed in the context.
RUN make -C bpf \
 && node scripts/build-native.js \
 && npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="plaintap" \
      org.opencontainers.image.description="eBPF agent: TLS plaintext captured per connection, exported as OpenTelemetry logs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/plaintap/plaintap" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends nodejs libbpf1 libelf1t64 zlib1g >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*
WORKDIR /opt/plaintap
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY --from=build /src/native/build/Release/plaintap_native.node native/build/Release/plaintap_native.node
COPY bin bin
COPY config config
# Records go to stdout, diagnostics to stderr; /metrics on 9464 (the chart sets 0.0.0.0).
EXPOSE 9464
ENTRYPOINT ["/opt/plaintap/bin/plaintap"]
