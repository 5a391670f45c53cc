"""Queries every command python-OBD declares supported and prints the decoded values as JSON.

Run by scripts/python-obd-parity.ts: python3 python-obd-dump.py PYTHON_OBD_DIR PORT.
Values are written the way obd-socketio puts them on the wire (quantities as magnitude and
pint unit name, Status as MIL/DTC_COUNT/ignition_type, Monitor as its tests), so that the
gateway's answers can be compared with them field by field.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
import obd  # noqa: E402
import pint  # noqa: E402
from obd.OBDResponse import Monitor, Status  # noqa: E402
from obd.utils import BitArray  # noqa: E402


def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, pint.Quantity):
        return {"magnitude": float(value.magnitude), "unit": str(value.units)}
    if isinstance(value, BitArray):
        return [bool(bit) for bit in value]
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, Monitor):
        return [
            {"tid": t.tid, "name": t.name, "desc": t.desc, "value": plain(t.value), "min": plain(t.min), "max": plain(t.max)}
            for t in value.tests
        ]
    if isinstance(value, Status):
        return {"MIL": value.MIL, "DTC_COUNT": value.DTC_count, "ignition_type": value.ignition_type}
    return {"repr": repr(value)}


connection = obd.OBD(sys.argv[2], baudrate=38400, fast=False, timeout=2)
answers = {}
for command in sorted(connection.supported_commands, key=lambda c: c.command):
    if command.name == "CLEAR_DTC":
        continue
    response = connection.query(command)
    answers[command.name] = {"value": plain(response.value), "unit": None if response.unit is None else str(response.unit)}
print(json.dumps({"protocol": connection.protocol_name(), "answers": answers}))
connection.close()
