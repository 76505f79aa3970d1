# ketentafel node image: built from Debian's packages only.
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config libwebsockets-dev libwebsockets-evlib-uv libuv1-dev \
        libjansson-dev libsqlite3-dev libsodium-dev libhiredis-dev libstemmer-dev \
        libcurl4-openssl-dev libical-dev libxml2-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release && cmake --build /build -j"$(nproc)"

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libwebsockets17 libwebsockets-evlib-uv libuv1 libjansson4 libsqlite3-0 libsodium23 \
        libhiredis0.14 libstemmer0d \
        libcurl4 libical3 libxml2 libpq5 tzdata ca-certificates wdutch openssl \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/ketentafel /usr/local/bin/ketentafel
COPY web /srv/ketentafel/web
COPY server/demo /srv/ketentafel/demo
ENV KT_WEB=/srv/ketentafel/web \
    KT_DEMO_FILE=/srv/ketentafel/demo/demo.json \
    KT_DB=/data/ketentafel.db \
    KT_PORT=8080
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/ketentafel"]
