"""QR codes (PNG and SVG) for tickets and headset labels."""

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG of the QR code for ``data``."""
    code = _code(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """A standalone SVG of the QR code for ``data`` (scales without blur when printed)."""
    buffer = io.BytesIO()
    _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()
