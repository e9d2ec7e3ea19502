#!/usr/bin/env python3
"""A third-party materialize connector speaking Flow's JSON protocol, for flowctl's tests.

It keeps documents in memory by binding and key, answers loads after a flush, and logs JSON
lines on stderr.
"""
import json
import sys


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def log(level, msg, **fields):
    sys.stderr.write(json.dumps(dict(level=level, msg=msg, **fields)) + "\n")
    sys.stderr.flush()


stored = {}
loads = []
for line in sys.stdin:
    req = json.loads(line)
    if "spec" in req:
        send({"spec": {"protocol": 3032023, "configSchema": {"type": "object"},
                       "resourceConfigSchema": {"type": "object"}, "documentationUrl": "https://example.com"}})
    elif "validate" in req:
        bindings = []
        for b in req["validate"]["bindings"]:
            constraints = {p["field"]: {"type": "LOCATION_RECOMMENDED", "reason": "python likes it"}
                           for p in b["collection"].get("projections", [])}
            bindings.append({"constraints": constraints, "resourcePath": [b["resourceConfig"]["table"]]})
        send({"validated": {"bindings": bindings}})
    elif "open" in req:
        log("warn", "python connector ready", bindings=len(req["open"]["materialization"]["bindings"]))
        send({"opened": {}})
    elif "acknowledge" in req:
        send({"acknowledged": {}})
    elif "load" in req:
        loads.append((req["load"].get("binding", 0), json.dumps(req["load"]["key"])))
    elif "flush" in req:
        for binding, key in loads:
            if (binding, key) in stored:
                send({"loaded": {"binding": binding, "doc": stored[(binding, key)]}})
        loads = []
        send({"flushed": {}})
    elif "store" in req:
        s = req["store"]
        stored[(s.get("binding", 0), json.dumps(s["key"]))] = s["doc"]
    elif "startCommit" in req:
        send({"startedCommit": {"state": {"updated": {"stored": len(stored)}}}})
    else:
        log("error", "unexpected request", request=line.strip())
        sys.exit(1)
