FROM node:20-bookworm-slim AS deps
RUN corepack enable
WORKDIR /repo
COPY package.json yarn.lock .yarnrc.yml ./
COPY packages/lib/package.json packages/lib/
COPY apps/api/package.json apps/api/
RUN yarn workspaces focus @rb/api --production

FROM node:20-bookworm-slim
WORKDIR /repo
COPY --from=deps /repo/node_modules ./node_modules
COPY packages/lib packages/lib
COPY apps/api apps/api
ENV NODE_ENV=production SERVICE_NAME=api
EXPOSE 3903
WORKDIR /repo/apps/api
CMD ["node", "src/server.js"]
