"""Training API."""

from peerwork.training.attendance_controllers import ATTENDANCE_ROUTES

ROUTES = [*ATTENDANCE_ROUTES]
