"""The public address in tickets: ``serve`` derives it from its host and port when none is
set, prints it, and warns when it only reaches this machine (issue 9 item 1)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from factories import book, decode_qr, free_port, needs_zbarimg
from vr_booking.addresses import derive_base_url, loopback_warning


def _serve(db_url: str, tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.Popen, Path]:
    """``vr-booking serve`` with no VR_BOOKING_BASE_URL unless ``env`` gives one."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VR_BOOKING_")}
    environment |= {"VR_BOOKING_DATABASE_URL": db_url, "VR_BOOKING_DATA_DIR": str(tmp_path),
                    "VR_BOOKING_ENVIRONMENT": "test", "LANG": "C.UTF-8", **env}
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "vr_booking", "serve", "--no-demo", "--no-scheduler", *args],
        env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=tmp_path)
    return process, log


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered:\n{log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


@needs_zbarimg
def test_a_server_on_another_port_puts_its_own_address_in_the_ticket_qr_code(
        db_url, tmp_path, db: Session, make_open_access):
    booking = book(db, make_open_access().slots[0], "Ana")
    port = free_port()
    process, log = _serve(db_url, tmp_path, "--port", str(port))
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
        image = tmp_path / "ticket.png"
        image.write_bytes(httpx.get(f"http://127.0.0.1:{port}/b/{booking.token}/qr.png").content)
        ics = httpx.get(f"http://127.0.0.1:{port}/b/{booking.token}/ticket.ics").text
    finally:
        _stop(process)
    expected = f"http://127.0.0.1:{port}/b/{booking.token}"
    assert decode_qr(image) == expected  # zbarimg reads what a phone would open
    assert expected in ics.replace("\r\n ", "")
    assert f"Address in QR codes and e-mails: http://127.0.0.1:{port}" in log.read_text()


def test_a_loopback_address_is_flagged_when_others_can_reach_the_server(db_url, tmp_path):
    port = free_port()
    process, log = _serve(db_url, tmp_path, "--host", "0.0.0.0", "--port", str(port),  # noqa: S104
                          VR_BOOKING_BASE_URL=f"http://127.0.0.1:{port}")
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, log)
    finally:
        _stop(process)
    assert "only this machine can open" in log.read_text()


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("127.0.0.1", 18080, "http://127.0.0.1:18080"),
    ("vr.example.org", 80, "http://vr.example.org"),
    ("::1", 8000, "http://[::1]:8000"),
])
def test_the_address_is_derived_from_host_and_port(host, port, expected):
    assert derive_base_url(host, port) == expected


@pytest.mark.parametrize(("base_url", "host", "warned"), [
    ("http://127.0.0.1:8000", "0.0.0.0", True),  # noqa: S104
    ("http://localhost:8000", "192.168.1.20", True),
    ("http://127.0.0.1:8000", "127.0.0.1", False),  # a server only this machine can reach
    ("https://vr.example.org", "0.0.0.0", False),  # noqa: S104
])
def test_the_loopback_warning(base_url, host, warned):
    assert (loopback_warning(base_url, host) is not None) == warned
