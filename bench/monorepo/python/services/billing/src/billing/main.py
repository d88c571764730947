"""Billing API: FastAPI on uvicorn, invoices kept in SQLite through SQLAlchemy."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from bench_common import health, log, port

app = FastAPI()
engine = create_engine("sqlite://")


@app.get("/health")
def get_health() -> dict[str, str]:
    with engine.connect() as conn:
        conn.execute(text("select 1"))
    return health("billing")


def run() -> None:
    log.info("listening", port=port())
    uvicorn.run(app, host="0.0.0.0", port=port())
