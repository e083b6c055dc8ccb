#!/usr/bin/env python3
"""A mock EC2 instance metadata service (IMDSv2) for testing ec2net.

It follows /work/shared/imds-reference.md: session tokens, 401/404/405,
listings without a trailing newline, per-ENI keys, and the propagation delay
of a hot-plugged ENI. A control API under /_control/ (no token) lets a test
attach and detach ENIs, change keys, inject faults and read traffic counters.

Use it in-process:

    with MockIMDS(scenario) as imds:
        ControlClient(imds.url).stats()

or as a program (what the integration harness does, so it can stop it by PID):

    python3 mock_imds.py --listen 127.0.0.1:0 --scenario s.json --port-file p

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import copy
import email.utils
import http
import http.client
import itertools
import json
import math
import os
import re
import secrets
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

TOKEN_PATH = "/latest/api/token"
METADATA_PATH = "/latest/meta-data"
CONTROL_PREFIX = "/_control/"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TTL_RESPONSE_HEADER = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
MAX_TOKEN_TTL = 21600

# Scenario keys that steer the mock instead of being published as metadata.
PROPAGATION_KEYS = frozenset({"device-number-delay", "addresses-delay"})
# "response_writes": "one" (default) sends each response in one write;
# "split" sends the head and the body in two writes with Nagle on, a common
# server pattern that stalls a keep-alive client on its own delayed ACK
# (~40 ms per response) unless the client acks at once. How the real IMDS
# writes is not public, so ec2net must be fast either way (issue 13).
# "link_local_allowance": packets per second per client beyond which the
# mock drops requests, as EC2 does per ENI (LinkLocalAllowance, issue 21).
# Keys that start with "_" are comments (e.g. "_source" of a captured tree).
TOP_LEVEL_SETTINGS = frozenset({"interfaces", "http_tokens", "response_writes", "link_local_allowance"})
RESPONSE_WRITES = ("one", "split")

# The body real IMDS sends with an error status. Clients must never take it
# for a value, so the mock sends the same kind of HTML.
ERROR_PAGE = """<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>{code} - {phrase}</title>
 </head>
 <body>
  <h1>{code} - {phrase}</h1>
 </body>
</html>
"""

# How many bytes a `truncate` fault promises beyond what it sends.
TRUNCATE_SHORTFALL = 64


class ScenarioError(ValueError):
    """A scenario or control request the mock cannot make sense of."""


# --------------------------------------------------------------------------
# The instance: what metadata exists, and when each ENI was attached.
# --------------------------------------------------------------------------

def _hex_id(prefix: str, seed: str) -> str:
    """A stable AWS-style id (prefix + 17 hex digits) derived from seed."""
    digits = int.from_bytes(seed.encode(), "big") % (16 ** 17)
    return f"{prefix}-{digits:017x}"


def _interface_defaults(iface: dict[str, Any]) -> dict[str, Any]:
    """Keys real IMDS always publishes for an ENI; a scenario that omits them
    gets plausible values (give a key the value null to make it absent)."""
    mac = iface["mac"]
    subnet = str(iface.get("subnet-ipv4-cidr-block") or mac)
    vpc = str(iface.get("vpc-ipv4-cidr-block") or "vpc")
    defaults: dict[str, Any] = {
        "mac": mac,
        "interface-id": _hex_id("eni", mac),
        "subnet-id": _hex_id("subnet", subnet),
        "vpc-id": _hex_id("vpc", vpc),
        "owner-id": "123456789012",
        "security-group-ids": ["sg-0123456789abcdef0"],
    }
    if iface.get("vpc-ipv4-cidr-block"):
        defaults["vpc-ipv4-cidr-blocks"] = [iface["vpc-ipv4-cidr-block"]]
    return defaults


def _render_value(value: Any) -> str | None:
    """A scenario value as IMDS text; None means "no value" (404)."""
    if value is None:
        return None
    if isinstance(value, list):
        return "\n".join(str(item) for item in value) if value else None
    if isinstance(value, bool):
        raise ScenarioError(f"boolean metadata value {value!r}")
    text = str(value)
    return text if text else None


class Scenario:
    """The instance the mock pretends to be. Not thread-safe; MockState locks."""

    def __init__(self, description: dict[str, Any], now: float):
        if not isinstance(description, dict):
            raise ScenarioError("a scenario is a JSON object")
        self.top = {k: v for k, v in description.items() if k != "interfaces"}
        self.top.setdefault("http_tokens", "required")
        if self.top["http_tokens"] not in ("required", "optional"):
            raise ScenarioError("http_tokens must be 'required' or 'optional'")
        if self.top.setdefault("response_writes", "one") not in RESPONSE_WRITES:
            raise ScenarioError(f"response_writes must be one of {RESPONSE_WRITES}")
        self.top = {k: v for k, v in self.top.items() if not k.startswith("_")}
        self.interfaces: dict[str, dict[str, Any]] = {}
        self.attached_at: dict[str, float] = {}
        for iface in description.get("interfaces", []):
            self.attach(iface, now)
        self._fill_top_level_defaults()

    @property
    def http_tokens(self) -> str:
        return self.top["http_tokens"]

    @property
    def split_writes(self) -> bool:
        return self.top.get("response_writes") == "split"

    def _primary(self) -> dict[str, Any] | None:
        mac = self.top.get("mac")
        if mac in self.interfaces:
            return self.interfaces[mac]
        return next((i for i in self.interfaces.values() if i.get("device-number") == 0), None)

    def _fill_top_level_defaults(self) -> None:
        primary = self._primary()
        if primary is not None:
            self.top.setdefault("mac", primary["mac"])
            addresses = primary.get("local-ipv4s") or []
            if addresses:
                self.top.setdefault("local-hostname", f"ip-{addresses[0].replace('.', '-')}.ec2.internal")
        self.top.setdefault("instance-id", "i-0123456789abcdef0")

    def attach(self, iface: dict[str, Any], now: float) -> None:
        if not isinstance(iface, dict) or not isinstance(iface.get("mac"), str):
            raise ScenarioError("an interface is a JSON object with a string 'mac'")
        if "device-number" not in iface:
            raise ScenarioError(f"interface {iface['mac']} has no device-number")
        iface = copy.deepcopy(iface)
        iface["mac"] = iface["mac"].lower()
        if iface["mac"] in self.interfaces:
            raise ScenarioError(f"interface {iface['mac']} is already attached")
        for key, value in _interface_defaults(iface).items():
            iface.setdefault(key, value)
        self.interfaces[iface["mac"]] = iface
        self.attached_at[iface["mac"]] = now

    def detach(self, mac: str) -> None:
        mac = mac.lower()
        if mac not in self.interfaces:
            raise KeyError(mac)
        del self.interfaces[mac]
        del self.attached_at[mac]

    def set(self, mac: str | None, key: str, value: Any) -> None:
        """Set (or with value None delete) a top-level key or an ENI's key."""
        if mac is None:
            target = self.top
            if key == "http_tokens" and value not in ("required", "optional"):
                raise ScenarioError("http_tokens must be 'required' or 'optional'")
            if key == "response_writes" and value not in RESPONSE_WRITES:
                raise ScenarioError(f"response_writes must be one of {RESPONSE_WRITES}")
        else:
            target = self.interfaces[mac.lower()]  # KeyError: unknown ENI
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value

    def to_dict(self) -> dict[str, Any]:
        return {**copy.deepcopy(self.top), "interfaces": copy.deepcopy(list(self.interfaces.values()))}

    def _interface_view(self, iface: dict[str, Any], now: float) -> dict[str, str]:
        """What IMDS publishes for one ENI at time `now`, propagation included."""
        values = {k: v for k, v in iface.items() if k not in PROPAGATION_KEYS}
        age = now - self.attached_at[iface["mac"]]
        if age < float(iface.get("device-number-delay", 0)):
            # Until the attachment propagates IMDS reports the default index
            # and does not know the network card yet.
            values["device-number"] = 0
            values.pop("network-card", None)
        if age < float(iface.get("addresses-delay", 0)):
            values["local-ipv4s"] = (values.get("local-ipv4s") or [])[:1]
        rendered = {k: _render_value(v) for k, v in values.items()}
        return {k: v for k, v in rendered.items() if v is not None}

    def tree(self, now: float) -> dict[str, Any]:
        """The meta-data tree at time `now`: dicts are directories, str leaves."""
        top: dict[str, Any] = {}
        for key, value in self.top.items():
            if key not in TOP_LEVEL_SETTINGS and (text := _render_value(value)) is not None:
                top[key] = text
        primary = self._primary()
        if primary is not None and primary.get("local-ipv4s"):
            top.setdefault("local-ipv4", str(primary["local-ipv4s"][0]))
        macs = {mac: self._interface_view(iface, now) for mac, iface in self.interfaces.items()}
        top["network"] = {"interfaces": {"macs": macs}}
        return top

    def resolve(self, relative_path: str, now: float) -> str | None:
        """The body for GET /latest/meta-data<relative_path>, or None for 404."""
        wants_directory = relative_path.endswith("/") or relative_path == ""
        segments = relative_path[1:].rstrip("/").split("/") if relative_path.strip("/") else []
        if any(s == "" for s in segments):
            return None
        node: Any = self.tree(now)
        for segment in segments:
            if not isinstance(node, dict) or segment not in node:
                return None
            node = node[segment]
        if isinstance(node, dict):
            if not node:
                return None  # a directory with nothing in it has no value
            return "\n".join(f"{k}/" if isinstance(v, dict) else k for k, v in sorted(node.items()))
        return None if wants_directory else node


# --------------------------------------------------------------------------
# Session tokens.
# --------------------------------------------------------------------------

class TokenStore:
    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._expiry: dict[str, float] = {}

    def issue(self, ttl: int) -> str:
        token = secrets.token_urlsafe(42)
        self._expiry[token] = self._clock() + ttl
        return token

    def remaining(self, token: str) -> int | None:
        """Seconds left on a valid token, None when invalid or expired."""
        expiry = self._expiry.get(token)
        if expiry is None:
            return None
        left = expiry - self._clock()
        if left <= 0:
            del self._expiry[token]
            return None
        return math.ceil(left)

    def invalidate_all(self) -> None:
        self._expiry.clear()


# --------------------------------------------------------------------------
# Faults.
# --------------------------------------------------------------------------

@dataclass
class Fault:
    """One injected misbehaviour; see the brief in the module docstring."""

    path: re.Pattern[str] | None = None
    remaining: int | None = None  # None: unlimited
    status: int | None = None
    delay: float = 0.0
    truncate: bool = False
    oversize: int | None = None
    chunked: bool = False
    bad_content_length: bool = False
    reset: bool = False
    body: str | None = None
    token_status: int | None = None
    expire_tokens: bool = False
    down: bool = False

    KEYS = frozenset({"path", "count", "status", "delay", "truncate", "oversize", "chunked",
                      "bad_content_length", "reset", "body", "token_status", "expire_tokens", "down"})

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> "Fault":
        if not isinstance(spec, dict) or not spec:
            raise ScenarioError("a fault is a non-empty JSON object")
        unknown = set(spec) - cls.KEYS
        if unknown:
            raise ScenarioError(f"unknown fault keys: {sorted(unknown)}")
        try:
            path = re.compile(spec["path"]) if spec.get("path") is not None else None
        except re.error as error:
            raise ScenarioError(f"bad path regex: {error}") from error
        count = spec.get("count")
        if count is None and spec.get("expire_tokens"):
            count = 1  # "all current tokens become invalid once"
        fault = cls(
            path=path,
            remaining=None if count is None else int(count),
            status=spec.get("status"),
            delay=float(spec.get("delay", 0)),
            truncate=bool(spec.get("truncate", False)),
            oversize=None if spec.get("oversize") is None else int(spec["oversize"]),
            chunked=bool(spec.get("chunked", False)),
            bad_content_length=bool(spec.get("bad_content_length", False)),
            reset=bool(spec.get("reset", False)),
            body=spec.get("body"),
            token_status=spec.get("token_status"),
            expire_tokens=bool(spec.get("expire_tokens", False)),
            down=bool(spec.get("down", False)),
        )
        if fault.body is not None and not isinstance(fault.body, str):
            raise ScenarioError("fault body must be a string")
        return fault

    def applies_to(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.path is not None and not self.path.search(path):
            return False
        if self.token_status is not None and not (method == "PUT" and path == TOKEN_PATH):
            return False
        if self.expire_tokens and not (method == "GET" and path.startswith(METADATA_PATH)):
            return False
        return True


@dataclass
class Effects:
    """The merged effect of every fault that matched one request."""

    delay: float = 0.0
    close: str | None = None  # "reset" (RST) or "down" (FIN), without answering
    status: int | None = None
    token_status: int | None = None
    body: str | None = None
    expire_tokens: bool = False
    truncate: bool = False
    oversize: int | None = None
    chunked: bool = False
    bad_content_length: bool = False

    def add(self, fault: Fault) -> None:
        self.delay += fault.delay
        if fault.down:
            self.close = "down"
        elif fault.reset and self.close is None:
            self.close = "reset"
        self.status = fault.status if fault.status is not None else self.status
        self.token_status = fault.token_status if fault.token_status is not None else self.token_status
        self.body = fault.body if fault.body is not None else self.body
        self.expire_tokens |= fault.expire_tokens
        self.truncate |= fault.truncate
        self.oversize = fault.oversize if fault.oversize is not None else self.oversize
        self.chunked |= fault.chunked
        self.bad_content_length |= fault.bad_content_length


class FaultTable:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> int:
        self._faults.append(fault)
        return len(self._faults) - 1

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, path: str) -> Effects:
        """Effects for this request; each matching fault uses up one count."""
        effects = Effects()
        for fault in self._faults:
            if fault.applies_to(method, path):
                if fault.remaining is not None:
                    fault.remaining -= 1
                effects.add(fault)
        return effects


# --------------------------------------------------------------------------
# Traffic counters and the request log.
# --------------------------------------------------------------------------

@dataclass
class Traffic:
    """Counts only IMDS traffic: control API connections and requests are
    left out so a test can read the counters without disturbing them."""

    started: float
    requests: int = 0
    connections: int = 0
    tokens: int = 0
    dropped: int = 0  # requests beyond the link-local allowance (LinkLocalAllowance)
    log: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.requests = self.connections = self.tokens = self.dropped = 0
        self.log.clear()

    def stats(self) -> dict[str, int]:
        return {"requests": self.requests, "connections": self.connections, "tokens": self.tokens,
                "dropped": self.dropped}


@dataclass
class LinkLocalAllowance:
    """EC2's budget of link-local packets per ENI: 1024 per second to IMDS,
    the VPC resolver and NTP together, dropped beyond it (AWS ENA docs,
    counter `linklocal_allowance_exceeded`). Set by the scenario's
    `link_local_allowance` (packets/s); per client address, since each ENI
    has its own. A request costs PACKETS_PER_REQUEST (issue 21's capture:
    679 packets both ways for 224 requests on one connection). A dropped
    request is answered after DROP_DELAY, the TCP retransmission that
    recovers a lost segment (Linux's minimum RTO)."""

    PACKETS_PER_REQUEST = 3
    DROP_DELAY = 0.2
    packets_per_second: int
    recent: dict[str, list[float]] = field(default_factory=dict)

    def exceeded(self, client: str, now: float) -> bool:
        window = [t for t in self.recent.get(client, []) if now - t < 1.0]
        over = (len(window) + 1) * self.PACKETS_PER_REQUEST > self.packets_per_second
        if not over:
            window.append(now)
        self.recent[client] = window
        return over


# --------------------------------------------------------------------------
# The service: request in, reply out (no sockets here).
# --------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/plain"


def error_reply(status: int, headers: list[tuple[str, str]] | None = None) -> Reply:
    phrase = _reason(status)
    page = ERROR_PAGE.format(code=status, phrase=phrase).encode()
    return Reply(status, page, headers or [], "text/html")


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class MockState:
    """Everything the handler threads share, behind one lock."""

    def __init__(self, scenario: dict[str, Any], clock: Callable[[], float],
                 log_sink: Callable[[dict[str, Any]], None] | None = None):
        self.clock = clock
        self.lock = threading.RLock()
        self.scenario = Scenario(scenario, clock())
        self.tokens = TokenStore(clock)
        self.faults = FaultTable()
        self.traffic = Traffic(started=clock())
        allowance = self.scenario.top.get("link_local_allowance")
        self.allowance = LinkLocalAllowance(int(allowance)) if allowance is not None else None
        self._log_sink = log_sink

    def record(self, method: str, path: str, status: int | None, conn_id: int) -> None:
        entry = {"method": method, "path": path, "status": status, "conn_id": conn_id,
                 "t": round(self.clock() - self.traffic.started, 6)}
        with self.lock:
            self.traffic.log.append(entry)
        if self._log_sink is not None:
            self._log_sink(entry)

    def respond(self, method: str, path: str, headers: Any, effects: Effects) -> Reply:
        """The IMDS answer to one /latest request, before framing faults."""
        with self.lock:
            if effects.expire_tokens:
                self.tokens.invalidate_all()
            if path == TOKEN_PATH:
                return self._token(method, headers, effects)
            if path == METADATA_PATH or path.startswith(METADATA_PATH + "/"):
                return self._metadata(method, path[len(METADATA_PATH):], headers)
            if path.startswith("/latest/") and method not in ("GET", "PUT"):
                return error_reply(405)
            return error_reply(404)

    def _token(self, method: str, headers: Any, effects: Effects) -> Reply:
        if method != "PUT":
            return error_reply(405)
        if effects.token_status is not None:
            return error_reply(effects.token_status)
        if headers.get("X-Forwarded-For") is not None:
            return error_reply(403)
        raw_ttl = headers.get(TTL_HEADER)
        if raw_ttl is None or not raw_ttl.strip().isdigit() or not 1 <= int(raw_ttl) <= MAX_TOKEN_TTL:
            return error_reply(400)
        ttl = int(raw_ttl)
        self.traffic.tokens += 1
        return Reply(200, self.tokens.issue(ttl).encode(), [(TTL_RESPONSE_HEADER, str(ttl))])

    def _metadata(self, method: str, relative_path: str, headers: Any) -> Reply:
        if method != "GET":
            return error_reply(405)
        token = headers.get(TOKEN_HEADER)
        ttl_headers: list[tuple[str, str]] = []
        if token is not None:
            remaining = self.tokens.remaining(token)
            if remaining is None:
                return error_reply(401)
            ttl_headers = [(TTL_RESPONSE_HEADER, str(remaining))]
        elif self.scenario.http_tokens == "required":
            return error_reply(401)
        body = self.scenario.resolve(relative_path, self.clock())
        if body is None:
            return error_reply(404, ttl_headers)
        return Reply(200, body.encode(), ttl_headers)


# --------------------------------------------------------------------------
# HTTP: framing, faults that touch the wire, the control API.
# --------------------------------------------------------------------------

class IMDSRequestHandler(BaseHTTPRequestHandler):
    """One instance per TCP connection; handles its keep-alive requests."""

    protocol_version = "HTTP/1.1"
    server_version = "EC2ws"
    sys_version = ""
    timeout = 60  # drop idle keep-alive connections eventually
    server: "MockIMDSServer"

    # Set per connection: "imds" or "control" once the first request is read.
    kind: str | None = None

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn_id = self.server.register(self)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the socket is already gone (reset fault)
        finally:
            self.server.unregister(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is kept in MockState

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.send_error(414)
                return
            if not self.parse_request():
                return
            self._dispatch()
        except (TimeoutError, ConnectionError, OSError):
            self.close_connection = True

    def _read_request_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise ScenarioError("bad request Content-Length")
        return self.rfile.read(int(length))

    def _dispatch(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        is_control = path.startswith(CONTROL_PREFIX)
        if self.kind is None:
            self.kind = "control" if is_control else "imds"
            if self.kind == "imds":
                self.server.count_connection()
        try:
            body = self._read_request_body()
        except ScenarioError:
            self.close_connection = True
            self._write(error_reply(400))
            return
        if is_control:
            self._control(path, body)
        else:
            self._imds(path)

    def _imds(self, path: str) -> None:
        state = self.server.state
        with state.lock:
            state.traffic.requests += 1
            effects = state.faults.take(self.command, path)
            if state.allowance is not None and state.allowance.exceeded(self.client_address[0], state.clock()):
                state.traffic.dropped += 1
                effects.delay += LinkLocalAllowance.DROP_DELAY
        if effects.delay:
            time.sleep(effects.delay)
        # Record before answering: a client that reads the log right after
        # its answer arrives must find its request there.
        if effects.close is not None:
            state.record(self.command, path, None, self.conn_id)
            self._close_without_answer(rst=effects.close == "reset")
            return
        reply = state.respond(self.command, path, self.headers, effects)
        if effects.status is not None:
            reply = error_reply(effects.status)
        if effects.body is not None:
            reply.body = effects.body.encode()
        state.record(self.command, path, reply.status, self.conn_id)
        self._write(reply, effects)

    def _close_without_answer(self, rst: bool) -> None:
        self.close_connection = True
        if rst:
            # SO_LINGER 0 makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
        else:
            self.connection.shutdown(socket.SHUT_RDWR)

    def _write(self, reply: Reply, effects: Effects | None = None) -> None:
        effects = effects or Effects()
        if effects.truncate or effects.bad_content_length:
            self.close_connection = True  # framing is broken: nothing can follow
        lines = [f"HTTP/1.1 {reply.status} {_reason(reply.status)}",
                 f"Date: {email.utils.formatdate(usegmt=True)}",
                 f"Server: {self.server_version}",
                 f"Content-Type: {reply.content_type}"]
        lines += [f"{name}: {value}" for name, value in reply.headers]
        if self.close_connection:
            lines.append("Connection: close")
        body = reply.body
        if effects.chunked:
            lines.append("Transfer-Encoding: chunked")
        elif effects.oversize is not None:
            lines.append(f"Content-Length: {effects.oversize}")
        elif effects.truncate:
            lines.append(f"Content-Length: {len(body) + TRUNCATE_SHORTFALL}")
        elif effects.bad_content_length:
            lines.append("Content-Length: twelve")
        else:
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if effects.chunked:
            self.wfile.write(head)
            self._write_chunked(body)
        elif effects.oversize is not None:
            self.wfile.write(head)
            self._write_filler(effects.oversize)
        elif self.server.state.scenario.split_writes and body:
            # Nagle on: the body waits until the client acknowledges the head.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
            self.wfile.write(head)
            self.wfile.write(body)
        else:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.wfile.write(head + body)  # one segment: no Nagle/delayed-ACK stall
        self.wfile.flush()

    def _write_chunked(self, body: bytes) -> None:
        # Several small chunks, so a client that reads only the first is caught.
        size = max(1, len(body) // 3)
        for start in range(0, len(body), size):
            piece = body[start:start + size]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _write_filler(self, total: int) -> None:
        block = b"x" * 65536
        while total > 0:
            piece = block[:min(total, len(block))]
            self.wfile.write(piece)
            total -= len(piece)

    # -- control API --------------------------------------------------------

    def _control(self, path: str, body: bytes) -> None:
        route = CONTROL_ROUTES.get(path[len(CONTROL_PREFIX):])
        if route is None:
            self._write_json(404, {"error": f"no control endpoint {path}"})
            return
        method, action = route
        if self.command != method:
            self._write_json(405, {"error": f"{path} takes {method}"})
            return
        try:
            request = json.loads(body) if body else {}
            self._write_json(200, action(self.server, request))
        except KeyError as error:
            self._write_json(404, {"error": f"unknown interface {error}"})
        except (ScenarioError, ValueError, TypeError) as error:
            self._write_json(400, {"error": str(error)})

    def _write_json(self, status: int, value: Any) -> None:
        self._write(Reply(status, json.dumps(value).encode(), [], "application/json"))


def _attach(server: "MockIMDSServer", request: dict[str, Any]) -> dict[str, Any]:
    state = server.state
    with state.lock:
        state.scenario.attach(request, state.clock())
    return {"ok": True}


def _required(request: Any, key: str) -> Any:
    if not isinstance(request, dict) or key not in request:
        raise ScenarioError(f"missing {key!r}")
    return request[key]


def _detach(server: "MockIMDSServer", request: dict[str, Any]) -> dict[str, Any]:
    mac = _required(request, "mac")
    with server.state.lock:
        server.state.scenario.detach(mac)
    return {"ok": True}


def _set(server: "MockIMDSServer", request: dict[str, Any]) -> dict[str, Any]:
    key = _required(request, "key")
    with server.state.lock:
        server.state.scenario.set(request.get("mac"), key, request.get("value"))
    return {"ok": True}


def _fault(server: "MockIMDSServer", request: dict[str, Any]) -> dict[str, Any]:
    fault = Fault.from_dict(request)
    with server.state.lock:
        fault_id = server.state.faults.add(fault)
    if fault.down:
        server.drop_imds_connections()
    return {"id": fault_id}


def _clear_faults(server: "MockIMDSServer", request: dict[str, Any]) -> dict[str, Any]:
    with server.state.lock:
        server.state.faults.clear()
    return {"ok": True}


def _log(server: "MockIMDSServer", request: dict[str, Any]) -> list[dict[str, Any]]:
    with server.state.lock:
        return list(server.state.traffic.log)


def _stats(server: "MockIMDSServer", request: dict[str, Any]) -> dict[str, int]:
    with server.state.lock:
        return server.state.traffic.stats()


def _reset_stats(server: "MockIMDSServer", request: dict[str, Any]) -> dict[str, Any]:
    with server.state.lock:
        server.state.traffic.reset()
    return {"ok": True}


def _scenario(server: "MockIMDSServer", request: dict[str, Any]) -> dict[str, Any]:
    with server.state.lock:
        return server.state.scenario.to_dict()


CONTROL_ROUTES: dict[str, tuple[str, Callable[["MockIMDSServer", Any], Any]]] = {
    "attach": ("POST", _attach),
    "detach": ("POST", _detach),
    "set": ("POST", _set),
    "fault": ("POST", _fault),
    "clear-faults": ("POST", _clear_faults),
    "log": ("GET", _log),
    "stats": ("GET", _stats),
    "reset-stats": ("POST", _reset_stats),
    "scenario": ("GET", _scenario),
}


class MockIMDSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: a burst of 33 clients overflows it,
    # the kernel drops SYNs and the client's 0.25 s connect timeout fires
    # before the retransmission. The real IMDS takes such bursts.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: MockState):
        self.state = state
        self._connections: dict[int, IMDSRequestHandler] = {}
        self._connection_ids = itertools.count(1)
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, IMDSRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which can
        # stall for seconds without DNS; a mock on loopback needs none of it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def register(self, handler: IMDSRequestHandler) -> int:
        with self._connections_lock:
            conn_id = next(self._connection_ids)
            self._connections[conn_id] = handler
            return conn_id

    def unregister(self, handler: IMDSRequestHandler) -> None:
        with self._connections_lock:
            self._connections.pop(handler.conn_id, None)
        if handler.kind is None:
            # Opened and closed without a request: it still was a connection.
            self.count_connection()

    def count_connection(self) -> None:
        with self.state.lock:
            self.state.traffic.connections += 1

    def drop_imds_connections(self) -> None:
        self._shutdown_connections(lambda handler: handler.kind == "imds")

    def drop_all_connections(self) -> None:
        self._shutdown_connections(lambda handler: True)

    def _shutdown_connections(self, which: Callable[[IMDSRequestHandler], bool]) -> None:
        with self._connections_lock:
            handlers = [h for h in self._connections.values() if which(h)]
        for handler in handlers:
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# --------------------------------------------------------------------------
# Public API: in-process server and a control client.
# --------------------------------------------------------------------------

class MockIMDS:
    """A running mock IMDS on a background thread."""

    def __init__(self, scenario: dict[str, Any], host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], float] = time.monotonic,
                 log_sink: Callable[[dict[str, Any]], None] | None = None,
                 also_listen: list[tuple[str, int]] | None = None):
        self.state = MockState(scenario, clock, log_sink)
        self._server = MockIMDSServer((host, port), self.state)
        # More addresses of the same instance (EC2's IPv4 and IPv6 endpoints):
        # one state, so attach/detach and the counters cover both.
        self._servers = [self._server] + [MockIMDSServer(a, self.state) for a in also_listen or []]
        self._threads: list[threading.Thread] = []

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> "MockIMDS":
        # A short poll interval keeps stop() (and so every test teardown) fast.
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name="mock-imds", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        if self._threads:
            for server in self._servers:
                server.shutdown()
            for thread in self._threads:
                thread.join()
            self._threads = []
        for server in self._servers:
            server.server_close()
            server.drop_all_connections()

    def __enter__(self) -> "MockIMDS":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


class ControlClient:
    """Talks to the /_control/ API of a mock at base_url (one connection per call)."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        parts = urllib.parse.urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout

    def connection(self) -> http.client.HTTPConnection:
        """A new connection to the mock; subclasses may open it elsewhere
        (the e2e simulation opens it inside the vpc namespace)."""
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def call(self, method: str, endpoint: str, body: Any = None) -> Any:
        connection = self.connection()
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            connection.request(method, CONTROL_PREFIX + endpoint, body=payload, headers=headers)
            response = connection.getresponse()
            data = json.loads(response.read() or b"null")
            if response.status != 200:
                raise RuntimeError(f"control {endpoint}: {response.status} {data}")
            return data
        finally:
            connection.close()

    def attach(self, interface: dict[str, Any]) -> None:
        self.call("POST", "attach", interface)

    def detach(self, mac: str) -> None:
        self.call("POST", "detach", {"mac": mac})

    def set(self, mac: str | None, key: str, value: Any) -> None:
        self.call("POST", "set", {"mac": mac, "key": key, "value": value})

    def fault(self, **spec: Any) -> int:
        return self.call("POST", "fault", spec)["id"]

    def clear_faults(self) -> None:
        self.call("POST", "clear-faults", {})

    def log(self) -> list[dict[str, Any]]:
        return self.call("GET", "log")

    def stats(self) -> dict[str, int]:
        return self.call("GET", "stats")

    def reset_stats(self) -> None:
        self.call("POST", "reset-stats", {})

    def scenario(self) -> dict[str, Any]:
        return self.call("GET", "scenario")


# --------------------------------------------------------------------------
# Command line.
# --------------------------------------------------------------------------

DEFAULT_SCENARIO: dict[str, Any] = {
    "mac": "02:00:00:00:00:01",
    "interfaces": [{
        "mac": "02:00:00:00:00:01", "device-number": 0,
        "local-ipv4s": ["10.0.0.10"], "subnet-ipv4-cidr-block": "10.0.0.0/24",
        "vpc-ipv4-cidr-block": "10.0.0.0/16",
    }],
}


def parse_listen(text: str) -> tuple[str, int]:
    """'127.0.0.1:0' or '[::1]:8080' -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def _write_atomically(path: str, text: str) -> None:
    temporary = f"{path}.tmp.{os.getpid()}"
    with open(temporary, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mock EC2 instance metadata service (IMDSv2).")
    parser.add_argument("--listen", type=parse_listen, action="append", metavar="HOST:PORT",
                        help="address to serve on (default 127.0.0.1:0); more than once: one instance, several endpoints")
    parser.add_argument("--scenario", metavar="FILE", help="scenario JSON (default: one ENI)")
    parser.add_argument("--port-file", metavar="FILE", help="write the bound port here once listening")
    parser.add_argument("--log-file", metavar="FILE", help="append one JSON line per IMDS request")
    args = parser.parse_args(argv)

    scenario = DEFAULT_SCENARIO
    if args.scenario:
        with open(args.scenario) as handle:
            scenario = json.load(handle)

    log_sink = None
    if args.log_file:
        log_handle = open(args.log_file, "a", buffering=1)
        log_lock = threading.Lock()

        def log_sink(entry: dict[str, Any]) -> None:
            with log_lock:
                log_handle.write(json.dumps(entry) + "\n")

    # Block the stop signals before any thread starts, so every thread
    # inherits the mask and only sigwait() below receives them.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    (host, port), *more = args.listen or [("127.0.0.1", 0)]
    imds = MockIMDS(scenario, host, port, log_sink=log_sink, also_listen=more).start()
    if args.port_file:
        _write_atomically(args.port_file, f"{imds.port}\n")
    shown_host = f"[{imds.host}]" if ":" in imds.host else imds.host
    print(f"listening on {shown_host}:{imds.port}", flush=True)
    signal.sigwait(stop_signals)
    imds.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
