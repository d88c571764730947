FROM node:20-bookworm-slim AS deps
RUN corepack enable
WORKDIR /repo
COPY package.json yarn.lock .yarnrc.yml ./
COPY packages/lib/package.json packages/lib/
COPY apps/worker/package.json apps/worker/
RUN yarn workspaces focus @rb/worker --production

FROM node:20-bookworm-slim
WORKDIR /repo
COPY --from=deps /repo/node_modules ./node_modules
COPY packages/lib packages/lib
COPY apps/worker apps/worker
ENV NODE_ENV=production SERVICE_NAME=worker
EXPOSE 3913
WORKDIR /repo/apps/worker
CMD ["node", "src/server.js"]
