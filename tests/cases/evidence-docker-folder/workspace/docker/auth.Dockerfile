FROM python:3.12-slim
WORKDIR /app
COPY libs/common/ libs/common/
COPY services/auth/ services/auth/
RUN pip install ./libs/common ./services/auth uvicorn
CMD ["uvicorn", "acme_auth.app:app", "--host", "0.0.0.0"]
