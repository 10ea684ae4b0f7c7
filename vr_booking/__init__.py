"""vr-booking: scheduler for virtual-reality job-discovery sessions."""

__version__ = "0.1.0"
