from fastapi import FastAPI

app = FastAPI(title="rb-api")


@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}
