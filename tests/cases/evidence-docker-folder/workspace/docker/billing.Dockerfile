FROM python:3.12-slim
WORKDIR /app
COPY libs/common/ libs/common/
COPY services/billing/ services/billing/
RUN pip install ./libs/common ./services/billing uvicorn
CMD ["uvicorn", "acme_billing.app:app", "--host", "0.0.0.0"]
