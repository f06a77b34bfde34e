"""Libraries bound at import and loaded on first use (core/lazy.py)."""

from __future__ import annotations

import subprocess
import sys

from peerwork.core.lazy import deferred, is_loaded


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_a_deferred_module_loads_on_its_first_attribute_and_then_is_the_real_module():
    out = run_python(
        "import sys\n"
        "from peerwork.core.lazy import deferred, is_loaded\n"
        "m = deferred('colorsys')\n"
        "before = 'colorsys' in sys.modules, is_loaded('colorsys')\n"
        "value = m.rgb_to_hsv(1.0, 0.0, 0.0)\n"
        "import colorsys\n"
        "print(before, value, is_loaded('colorsys'), m.rgb_to_hsv is colorsys.rgb_to_hsv, 'rgb_to_hsv' in vars(m))\n")
    assert out == "(False, False) (0.0, 1.0, 1.0) True True True"


def test_a_module_already_loaded_is_given_as_it_is():
    import json

    assert deferred("json") is json and is_loaded("json")


def test_black_is_not_loaded_with_piccolo_s_configuration_yet_works_where_piccolo_uses_it():
    out = run_python(
        "import peerwork.core.db\n"
        "import piccolo.conf.apps as apps\n"
        "from peerwork.core.lazy import is_loaded\n"
        "before = is_loaded('black')\n"
        "formatted = apps.black.format_str('x  =  1', mode=apps.black.FileMode(line_length=80))\n"
        "print(before, repr(formatted), is_loaded('black'))\n")
    assert out == "False 'x = 1\\n' True"
