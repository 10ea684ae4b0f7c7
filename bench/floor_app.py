"""The floor of the booking rush: a bare endpoint that inserts one row with the same stack
(FastAPI, uvicorn, SQLModel, the same engine and transaction mode), and nothing else.

    python bench/floor_app.py --port P [--workers N]   (database: VR_BOOKING_DATABASE_URL)

A booking can never be faster than this; bench/rush.py reports bookings as a share of it.
"""

import argparse
import os
from datetime import UTC, datetime

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from vr_booking.db import make_engine

metadata = MetaData()
floor_row = Table("bench_floor", metadata, Column("id", Integer, primary_key=True),
                  Column("name", String(80)), Column("created_at", DateTime(timezone=True)))


def create_app() -> FastAPI:
    engine = make_engine(os.environ["VR_BOOKING_DATABASE_URL"])
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.post("/floor", status_code=201)
    def floor(body: dict) -> dict:
        with engine.begin() as conn:
            row = conn.execute(insert(floor_row).values(
                name=str(body.get("name", ""))[:80], created_at=datetime.now(UTC)))
        return {"id": row.inserted_primary_key[0]}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    metadata.create_all(make_engine(os.environ["VR_BOOKING_DATABASE_URL"]))
    uvicorn.run("floor_app:create_app", factory=True, host="127.0.0.1", port=args.port,
                workers=args.workers, log_level="warning",
                app_dir=os.path.dirname(os.path.abspath(__file__)))


if __name__ == "__main__":
    main()
