# talos-csr-signer: build a self-contained executable with `deno compile`, run it distroless.
#   docker build --build-arg BUILD_COMMIT=$(git rev-parse --short=12 HEAD) -t talos-csr-signer .
#   docker run --rm --user "$(id -u):$(id -g)" -p 50001:50001 \
#     -v "$PWD/secrets.yaml:/etc/talos/secrets.yaml:ro" -e TALOS_SECRETS_PATH=/etc/talos/secrets.yaml \
#     -e SERVER_SANS=<control-plane IPs and names> talos-csr-signer
# (--user: secrets.yaml is mode 0600, so the signer must run as its owner to read it.)
FROM denoland/deno:2.9.6 AS build
ARG BUILD_COMMIT=unknown
ENV BUILD_COMMIT=${BUILD_COMMIT}
WORKDIR /src
COPY deno.json deno.lock main.ts ./
COPY src ./src
COPY proto ./proto
COPY scripts ./scripts
RUN deno install --frozen && deno task compile --output /out/talos-csr-signer

# The compiled binary links glibc, so the "cc" distroless flavour; nonroot is uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/talos-csr-signer /usr/local/bin/talos-csr-signer
COPY LICENSE proto/NOTICE.md /usr/share/doc/talos-csr-signer/
USER 65532:65532
# One glibc malloc arena: lower peak and settled RSS at no measured throughput cost (docs/performance.md).
ENV MALLOC_ARENA_MAX=1
# Allocations of 32 KiB and more get their own mapping, returned to the system when freed: the heap
# no longer keeps a burst's peak (docs/performance.md: about 20 MB less after a burst).
ENV MALLOC_MMAP_THRESHOLD_=32768
# Health and metrics on all interfaces of the container (Kubernetes probes reach the pod IP).
ENV HTTP_ADDR=0.0.0.0:9090
EXPOSE 50001 9090
ENTRYPOINT ["/usr/local/bin/talos-csr-signer"]
CMD ["serve"]
