"""Training pages."""

from peerwork.training.attendance_pages import ATTENDANCE_PAGES

PAGES = [*ATTENDANCE_PAGES]
