"""Libraries bound at import and loaded on first use, so an instance starts serving without them.

A server starts faster when it loads only what every request needs; NumPy (retention's
figures), icalendar (calendar files) and the like load when a request first uses them.
``deferred("numpy")`` is a module object that imports the real one the first time one of its
attributes is read, then holds the real module's names itself: later reads are plain module
look-ups, as fast as with ``import numpy``. Annotations naming it (``np.ndarray``) stay
strings under ``from __future__ import annotations``, so they load nothing.

``defer_in_sys_modules`` does the same for a library that a third-party package imports at
its top without needing it to start (Piccolo's configuration module imports the ``black``
formatter, used only when Piccolo rewrites a project file).
tests/integration/test_serve_startup.py fails if starting the app loads any of them.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


class _Deferred(ModuleType):
    """A stand-in for a module that is imported on the first attribute read."""

    def __getattr__(self, attribute: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]  # let the import below find the real module
        real = importlib.import_module(self.__name__)
        self.__dict__.update(real.__dict__)  # later reads find the names here: no second call
        return getattr(real, attribute)


def deferred(name: str) -> ModuleType:
    """The module ``name``, imported the first time one of its attributes is read."""
    return sys.modules.get(name) or _Deferred(name)


def defer_in_sys_modules(name: str) -> None:
    """Make a later ``import name`` (in any module) bind a stand-in that loads on first use.
    Nothing changes if the module is loaded already."""
    if name not in sys.modules:
        sys.modules[name] = _Deferred(name)


def is_loaded(name: str) -> bool:
    """Has the module really been imported (not only bound as a stand-in)?"""
    module = sys.modules.get(name)
    return module is not None and (not isinstance(module, _Deferred) or "__file__" in module.__dict__)
