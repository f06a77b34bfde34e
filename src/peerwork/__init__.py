"""peerwork: the workforce side of peer support."""

__version__ = "0.1.0"
