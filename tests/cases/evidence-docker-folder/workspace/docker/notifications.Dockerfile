FROM python:3.12-slim
WORKDIR /app
COPY libs/common/ libs/common/
COPY services/notifications/ services/notifications/
RUN pip install ./libs/common ./services/notifications uvicorn
CMD ["uvicorn", "acme_notifications.app:app", "--host", "0.0.0.0"]
