# syntax=docker/dockerfile:1
# policybot container image: one static binary on scratch, run as a non-root user.
#   docker build -t policybot --build-arg VERSION=$(git describe --always) .
#   docker run -e POLICYBOT_SLACK_BOT_TOKEN=… -e POLICYBOT_SLACK_APP_TOKEN=… \
#     -v policybot-state:/var/lib/policybot -p 8080:8080 policybot

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that code changes reuse the module download layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
# The one build command; .ci/dockerfile-check.sh extracts and runs this exact line.
RUN CGO_ENABLED=0 go build -tags goolm -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/policybot ./cmd/policybot
# The state directory must exist and belong to the runtime user (65532, the
# usual "nonroot" ID) before it becomes a volume.
# scratch has no /tmp; SQLite may want one for large sorts.
RUN mkdir -p /out/state /out/tmp && chown 65532:65532 /out/state && chmod 1777 /out/tmp

# scratch rather than distroless: the static binary needs nothing but the CA
# bundle (for Slack and homeservers over HTTPS); zone data is in the binary.
# That keeps the image at the binary's size (about 25 MiB).
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/policybot /policybot
COPY --from=build --chown=65532:65532 /out/state /var/lib/policybot
COPY --from=build /out/tmp /tmp
USER 65532:65532
ENV POLICYBOT_DATA_DIR=/var/lib/policybot \
    POLICYBOT_HTTP_ADDR=0.0.0.0:8080 \
    POLICYBOT_LOG_FORMAT=json
VOLUME ["/var/lib/policybot"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/policybot", "healthcheck"]
# SIGTERM (docker stop) drains replies within shutdown_timeout (10s by
# default); docker kills after 10s too, so run with --stop-timeout 15 or more.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/policybot"]
CMD ["serve"]
