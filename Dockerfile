# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev toolchain. Only the connector: the Twilio simulator
# (tools/simulator) is a dev tool, left out of the build context by .dockerignore.
FROM node:24.21-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json spec.json ./
COPY schemas ./schemas
COPY scripts ./scripts
# The official protocol schema the build generates the message types from; the image never reads it.
COPY vendor/airbyte/airbyte_protocol.yaml ./vendor/airbyte/airbyte_protocol.yaml
COPY source-twilio-costs ./source-twilio-costs
RUN npm run build:connector && npm prune --omit=dev --omit=optional

# Runtime stage: the compiled connector, its runtime dependencies, spec and schemas only.
FROM node:24.21-bookworm-slim
WORKDIR /airbyte/integration_code
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json spec.json ./
COPY schemas ./schemas
USER node
ENV NODE_ENV=production
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/node /airbyte/integration_code/dist/main.js"
ENTRYPOINT ["/usr/local/bin/node", "/airbyte/integration_code/dist/main.js"]
LABEL io.airbyte.name=airbyte/source-twilio-costs
LABEL io.airbyte.version=0.1.0
