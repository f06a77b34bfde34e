"""Piccolo's configuration: the engine (from PEERWORK_DATABASE_URL) and the apps."""

from piccolo.conf.apps import AppRegistry

from peerwork.core.db import engine_for
from peerwork.core.settings import load_settings

DB = engine_for(load_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["peerwork.workforce.piccolo_app", "peerwork.community.piccolo_app", "peerwork.supervision.piccolo_app", "peerwork.recruitment.piccolo_app", "peerwork.networks.piccolo_app", "peerwork.training.piccolo_app", "peerwork.evaluation.piccolo_app", "peerwork.wellbeing.piccolo_app", "peerwork.coproduction.piccolo_app", "peerwork.debrief.piccolo_app"])
