from vr_booking.cli import app

app(prog_name="vr-booking")
