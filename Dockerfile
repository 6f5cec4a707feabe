# The cchc API. Build: docker build -t cchc .   Run: see docker-compose.yml.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p cchc-api --bin cchc

FROM debian:bookworm-slim
# libpq for PostgreSQL; curl for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/cchc /usr/local/bin/cchc
RUN useradd --system --uid 10001 --home-dir /var/lib/cchc --create-home cchc
USER cchc
WORKDIR /var/lib/cchc
ENV CCHC_BIND=0.0.0.0:8080 RUST_LOG=info
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["cchc"]
CMD ["serve"]
