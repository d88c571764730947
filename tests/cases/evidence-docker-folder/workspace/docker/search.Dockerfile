FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install ./libs/common ./services/search uvicorn
CMD ["uvicorn", "acme_search.app:app"]
