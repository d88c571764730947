FROM node:22-bookworm-slim
WORKDIR /bot
COPY bot.js package.json ./
CMD ["node", "bot.js"]
