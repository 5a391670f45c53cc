# obdio-gateway in a container (docs/docker.md).
#
#   docker build -t obdio-gateway .
#   docker run --rm -p 127.0.0.1:48484:48484 --device /dev/ttyUSB0:/dev/obd obdio-gateway
#   docker run --rm -p 127.0.0.1:48484:48484 -e OBDIO_PORT=sim obdio-gateway    # no car: the simulator

# Build stage: TypeScript and the dev dependencies stay here.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: `prepare` would build before the sources are copied. serialport loads its
# prebuilt native binding (linux x64, arm64, armv7) without them.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime stage: the compiled gateway and its production dependencies only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/dashboard ./dashboard
COPY --from=build /src/schemas ./schemas
COPY deploy/docker/healthcheck.mjs ./
COPY deploy/docker/obdio.yaml /config/obdio.yaml
# A serial device passed in with --device keeps the host's group: dialout (gid 20) on Debian and
# Raspberry Pi OS. Elsewhere add the device's gid with --group-add.
RUN usermod --append --groups dialout node
USER node
EXPOSE 48484
# Readiness: healthy while car data flows (see src/server/health.ts); a car switched off is
# "unhealthy" and the gateway keeps waiting for it: nothing to restart.
ENV OBDIO_HEALTH_URL=http://127.0.0.1:48484/healthz
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "healthcheck.mjs"]
# node itself is PID 1 (no npm, no shell in between): the gateway's own SIGTERM handler closes
# the adapter and tells clients, so `docker stop` ends it cleanly within a second.
ENTRYPOINT ["node", "bin/obdio-gateway.js"]
CMD ["/config/obdio.yaml"]
