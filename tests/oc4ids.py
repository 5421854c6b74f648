"""OC4IDS packages checked as the data standard's own tool checks them: libcoveoc4ids (the library
behind the OC4IDS Data Review Tool), offline, with the 0.9.5 schema and codelists of
tests/fixtures/oc4ids/ served from this machine on a port of its own."""
import functools
import http.server
import json
import tempfile
import threading
from pathlib import Path

from libcoveoc4ids.api import oc4ids_json_output
from libcoveoc4ids.config import LibCoveOC4IDSConfig

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "oc4ids"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@functools.cache
def _config() -> LibCoveOC4IDSConfig:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SCHEMAS)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    return LibCoveOC4IDSConfig({"schema_host": base, "schema_version_choices": {"0.9.5": ("0.9.5", base)},
                                "schema_codelists": {"0.9": base + "codelists/"}})


def review(package: dict) -> dict:
    """libcoveoc4ids' whole answer for `package`."""
    with tempfile.TemporaryDirectory() as output:
        return oc4ids_json_output(output, json_data=package, lib_cove_oc4ids_config=_config())


def oc4ids_errors(package: dict) -> list[str]:
    """What the review counts as errors: schema validation errors (with the paths and values) and
    values outside a closed codelist; [] when the package is valid."""
    result = review(package)
    errors = [f"{json.loads(error)['message']}: {places}" for error, places in result["validation_errors"]]
    errors += [f"{path}: {value} not in closed codelist" for path, value in result["additional_closed_codelist_values"].items()]
    return errors
