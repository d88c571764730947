FROM python:3.12-slim
WORKDIR /app
COPY libs/common/ libs/common/
COPY services/api_gateway/ services/api_gateway/
RUN pip install ./libs/common ./services/api_gateway uvicorn
CMD ["uvicorn", "acme_api_gateway.app:app", "--host", "0.0.0.0"]
