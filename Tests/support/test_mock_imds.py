"""Tests of the mock IMDS itself: if the mock lies, every integration test lies.

Most tests run the mock in-process with a fake clock, so token expiry and
propagation delays are tested without sleeping. The command-line tests start
it as a program, the way the integration harness does.
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ec2net_harness import ipv6_loopback_available
from mock_imds import ControlClient, MockIMDS

MOCK_PROGRAM = Path(__file__).with_name("mock_imds.py")
PRIMARY = "02:00:00:00:00:01"
SECONDARY = "02:00:00:00:00:02"
MACS = "/latest/meta-data/network/interfaces/macs/"
TTL = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN = "X-aws-ec2-metadata-token"


def scenario() -> dict:
    return {
        "mac": PRIMARY,
        "local-hostname": "ip-10-0-0-10.ec2.internal",
        "instance-id": "i-0123456789abcdef0",
        "interfaces": [
            {"mac": PRIMARY, "device-number": 0, "interface-id": "eni-0123456789abcdef0",
             "local-ipv4s": ["10.0.0.10", "10.0.0.11"], "ipv6s": [], "ipv4-prefix": [], "ipv6-prefix": [],
             "subnet-ipv4-cidr-block": "10.0.0.0/24", "subnet-ipv6-cidr-blocks": [],
             "vpc-ipv4-cidr-block": "10.0.0.0/16"},
            {"mac": SECONDARY, "device-number": 1, "network-card": 0, "interface-id": "eni-0123456789abcdef1",
             "local-ipv4s": ["10.0.1.20", "10.0.1.21", "10.0.1.22"], "ipv6s": ["2600:1f18::20"],
             "ipv4-prefix": ["10.0.1.64/28"], "ipv6-prefix": [],
             "subnet-ipv4-cidr-block": "10.0.1.0/24", "subnet-ipv6-cidr-blocks": ["2600:1f18::/64"],
             "vpc-ipv4-cidr-block": "10.0.0.0/16",
             "device-number-delay": 6.0, "addresses-delay": 10.0},
        ],
    }


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def imds(clock):
    with MockIMDS(scenario(), clock=clock) as server:
        yield server


@pytest.fixture
def control(imds) -> ControlClient:
    return ControlClient(imds.url)


class Client:
    """A keep-alive IMDSv2 client over one http.client connection."""

    def __init__(self, imds: MockIMDS, timeout: float = 5.0):
        self.connection = http.client.HTTPConnection(imds.host, imds.port, timeout=timeout)
        self.token: str | None = None

    def request(self, method: str, path: str, headers: dict | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
        self.connection.request(method, path, headers=headers or {})
        response = self.connection.getresponse()
        return response.status, response.read(), response

    def new_token(self, ttl: int = 21600) -> str:
        status, body, _ = self.request("PUT", "/latest/api/token", {TTL: str(ttl)})
        assert status == 200
        self.token = body.decode()
        return self.token

    def get(self, path: str) -> tuple[int, bytes]:
        headers = {TOKEN: self.token} if self.token else {}
        status, body, _ = self.request("GET", path, headers)
        return status, body

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def client(imds):
    client = Client(imds)
    client.new_token()
    yield client
    client.close()


def raw_exchange(imds: MockIMDS, request: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, read until the server closes: for framing faults."""
    with socket.create_connection((imds.host, imds.port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def raw_get(imds: MockIMDS, token: str, path: str) -> bytes:
    return raw_exchange(imds, (f"GET {path} HTTP/1.1\r\nHost: x\r\n{TOKEN}: {token}\r\n"
                               "Connection: close\r\n\r\n").encode())


def split_response(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return status_line, headers, body


# -- tokens -----------------------------------------------------------------

def test_token_put_returns_token_and_ttl(client):
    status, body, response = client.request("PUT", "/latest/api/token", {TTL: "21600"})
    assert status == 200 and len(body) > 20
    assert response.getheader("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") == "21600"
    assert response.getheader("Content-Length") == str(len(body))


@pytest.mark.parametrize("headers", [{}, {TTL: "0"}, {TTL: "21601"}, {TTL: "-5"}, {TTL: "sixty"}])
def test_token_put_without_valid_ttl_is_400(client, headers):
    assert client.request("PUT", "/latest/api/token", headers)[0] == 400


def test_token_put_through_a_proxy_is_403(client):
    assert client.request("PUT", "/latest/api/token", {TTL: "60", "X-Forwarded-For": "10.0.0.1"})[0] == 403


def test_get_with_token_carries_remaining_ttl(client, clock):
    client.new_token(ttl=60)
    clock.advance(20.5)
    status, body, response = client.request("GET", "/latest/meta-data/mac", {TOKEN: client.token})
    assert (status, body) == (200, PRIMARY.encode())
    assert response.getheader("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") == "40"


def test_token_expires_after_its_ttl(client, clock):
    client.new_token(ttl=5)
    assert client.get("/latest/meta-data/mac")[0] == 200
    clock.advance(5)
    assert client.get("/latest/meta-data/mac")[0] == 401


def test_invalid_token_is_401(client):
    client.token = "not-a-token"
    assert client.get("/latest/meta-data/mac")[0] == 401


def test_no_token_is_401_when_required(imds):
    client = Client(imds)
    assert client.get("/latest/meta-data/mac")[0] == 401


def test_no_token_is_served_when_optional(imds, control):
    control.set(None, "http_tokens", "optional")
    client = Client(imds)
    status, body, response = client.request("GET", "/latest/meta-data/mac")
    assert (status, body) == (200, PRIMARY.encode())
    assert response.getheader("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") is None


def test_invalid_token_is_401_even_when_optional(imds, control):
    control.set(None, "http_tokens", "optional")
    client = Client(imds)
    client.token = "not-a-token"
    assert client.get("/latest/meta-data/mac")[0] == 401


# -- keys, listings, methods --------------------------------------------------

def test_top_level_keys(client):
    assert client.get("/latest/meta-data/mac") == (200, PRIMARY.encode())
    assert client.get("/latest/meta-data/local-ipv4") == (200, b"10.0.0.10")
    assert client.get("/latest/meta-data/instance-id") == (200, b"i-0123456789abcdef0")
    assert client.get("/latest/meta-data/local-hostname") == (200, b"ip-10-0-0-10.ec2.internal")


def test_top_level_listing(client):
    status, body = client.get("/latest/meta-data/")
    assert status == 200
    assert body.decode().split("\n") == ["instance-id", "local-hostname", "local-ipv4", "mac", "network/"]


def test_macs_listing_has_trailing_slashes_and_no_trailing_newline(client):
    status, body = client.get(MACS)
    assert (status, body) == (200, f"{PRIMARY}/\n{SECONDARY}/".encode())


def test_interface_listing_names_only_keys_with_values(client, clock):
    clock.advance(60)
    status, body = client.get(f"{MACS}{SECONDARY}/")
    keys = body.decode().split("\n")
    assert status == 200 and not body.endswith(b"\n")
    assert {"device-number", "network-card", "interface-id", "local-ipv4s", "ipv6s", "ipv4-prefix",
            "subnet-ipv4-cidr-block", "subnet-ipv6-cidr-blocks", "vpc-ipv4-cidr-block", "vpc-ipv4-cidr-blocks",
            "subnet-id", "vpc-id", "security-group-ids", "owner-id", "mac"} <= set(keys)
    assert "ipv6-prefix" not in keys  # empty list: no value
    assert "device-number-delay" not in keys  # steers the mock, never published
    primary_keys = client.get(f"{MACS}{PRIMARY}/")[1].decode().split("\n")
    assert "network-card" not in primary_keys and "ipv6s" not in primary_keys


def test_per_eni_values_one_per_line(client, clock):
    clock.advance(60)
    assert client.get(f"{MACS}{SECONDARY}/local-ipv4s") == (200, b"10.0.1.20\n10.0.1.21\n10.0.1.22")
    assert client.get(f"{MACS}{SECONDARY}/device-number") == (200, b"1")
    assert client.get(f"{MACS}{SECONDARY}/network-card") == (200, b"0")
    assert client.get(f"{MACS}{SECONDARY}/interface-id") == (200, b"eni-0123456789abcdef1")
    assert client.get(f"{MACS}{SECONDARY}/subnet-ipv4-cidr-block") == (200, b"10.0.1.0/24")
    assert client.get(f"{MACS}{SECONDARY}/mac") == (200, SECONDARY.encode())


@pytest.mark.parametrize("path", [
    "/latest/meta-data/no-such-key",
    f"{MACS}02:00:00:00:00:99/device-number",
    f"{MACS}{PRIMARY}/network-card",  # omitted by the scenario (single-card type)
    f"{MACS}{PRIMARY}/ipv6s",  # empty list
    f"{MACS}{PRIMARY}/ipv4-prefix",
    f"{MACS}{PRIMARY}/device-number/",  # a leaf is not a directory
])
def test_missing_or_empty_is_404(client, path):
    assert client.get(path)[0] == 404


def test_404_is_not_500(client, control):
    control.fault(status=500, path="local-ipv4s$")
    assert client.get(f"{MACS}{PRIMARY}/local-ipv4s")[0] == 500
    assert client.get(f"{MACS}{PRIMARY}/ipv6s")[0] == 404


@pytest.mark.parametrize("method, path", [
    ("POST", "/latest/meta-data/mac"),
    ("PUT", "/latest/meta-data/mac"),
    ("DELETE", "/latest/meta-data/"),
    ("GET", "/latest/api/token"),
    ("POST", "/latest/api/token"),
])
def test_wrong_method_is_405(client, method, path):
    assert client.request(method, path, {TOKEN: client.token, TTL: "60"})[0] == 405


# -- propagation --------------------------------------------------------------

def test_device_number_reads_zero_until_propagated(client, clock):
    assert client.get(f"{MACS}{SECONDARY}/device-number") == (200, b"0")
    assert client.get(f"{MACS}{SECONDARY}/network-card")[0] == 404
    clock.advance(6)
    assert client.get(f"{MACS}{SECONDARY}/device-number") == (200, b"1")
    assert client.get(f"{MACS}{SECONDARY}/network-card") == (200, b"0")


def test_secondary_addresses_appear_after_delay(client, clock):
    assert client.get(f"{MACS}{SECONDARY}/local-ipv4s") == (200, b"10.0.1.20")
    clock.advance(10)
    assert client.get(f"{MACS}{SECONDARY}/local-ipv4s") == (200, b"10.0.1.20\n10.0.1.21\n10.0.1.22")


def test_propagation_counts_from_attach(client, control, clock):
    clock.advance(100)
    control.attach({"mac": "02:00:00:00:00:03", "device-number": 2, "local-ipv4s": ["10.0.2.30"],
                    "device-number-delay": 3})
    assert client.get(f"{MACS}02:00:00:00:00:03/device-number") == (200, b"0")
    clock.advance(3)
    assert client.get(f"{MACS}02:00:00:00:00:03/device-number") == (200, b"2")


# -- control API ----------------------------------------------------------------

def test_attach_and_detach(client, control):
    control.attach({"mac": "02:00:00:00:00:03", "device-number": 2, "local-ipv4s": ["10.0.2.30"]})
    assert client.get(MACS)[1].decode().split("\n")[-1] == "02:00:00:00:00:03/"
    assert client.get(f"{MACS}02:00:00:00:00:03/local-ipv4s") == (200, b"10.0.2.30")
    control.detach("02:00:00:00:00:03")
    assert client.get(f"{MACS}02:00:00:00:00:03/local-ipv4s")[0] == 404
    assert b"02:00:00:00:00:03" not in client.get(MACS)[1]


def test_attach_of_an_attached_mac_is_refused(control):
    with pytest.raises(RuntimeError, match="400"):
        control.attach({"mac": PRIMARY, "device-number": 0})


def test_detach_of_unknown_mac_is_404(control):
    with pytest.raises(RuntimeError, match="404"):
        control.detach("02:00:00:00:00:99")


def test_set_list_string_and_delete(client, control):
    control.set(PRIMARY, "ipv6s", ["2600:1f18::10", "2600:1f18::11"])
    assert client.get(f"{MACS}{PRIMARY}/ipv6s") == (200, b"2600:1f18::10\n2600:1f18::11")
    control.set(PRIMARY, "subnet-ipv4-cidr-block", "10.0.9.0/24")
    assert client.get(f"{MACS}{PRIMARY}/subnet-ipv4-cidr-block") == (200, b"10.0.9.0/24")
    control.set(PRIMARY, "subnet-ipv4-cidr-block", None)
    assert client.get(f"{MACS}{PRIMARY}/subnet-ipv4-cidr-block")[0] == 404
    control.set(None, "local-hostname", "renamed.example")
    assert client.get("/latest/meta-data/local-hostname") == (200, b"renamed.example")


def test_scenario_reflects_changes(control):
    control.set(PRIMARY, "ipv6s", ["2600:1f18::10"])
    current = control.scenario()
    assert current["http_tokens"] == "required"
    assert current["interfaces"][0]["ipv6s"] == ["2600:1f18::10"]


def test_log_and_stats(client, control):
    client.get("/latest/meta-data/mac")
    client.get("/latest/meta-data/nope")
    log = control.log()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("PUT", "/latest/api/token", 200), ("GET", "/latest/meta-data/mac", 200),
        ("GET", "/latest/meta-data/nope", 404)]
    assert len({e["conn_id"] for e in log}) == 1
    assert control.stats() == {"requests": 3, "connections": 1, "tokens": 1, "dropped": 0}
    control.reset_stats()
    assert control.stats() == {"requests": 0, "connections": 0, "tokens": 0, "dropped": 0}
    assert control.log() == []


def test_unknown_fault_key_is_refused(control):
    with pytest.raises(RuntimeError, match="400"):
        control.fault(stauts=500)


# -- faults -----------------------------------------------------------------------

def test_status_fault_honours_path_and_count(client, control):
    control.fault(status=500, path="/mac$", count=2)
    assert client.get("/latest/meta-data/instance-id")[0] == 200
    assert client.get("/latest/meta-data/mac")[0] == 500
    assert client.get("/latest/meta-data/mac")[0] == 500
    assert client.get("/latest/meta-data/mac")[0] == 200


def test_imds_disabled(client, control):
    control.fault(status=403, path=".*")
    assert client.get("/latest/meta-data/mac")[0] == 403
    assert client.request("PUT", "/latest/api/token", {TTL: "60"})[0] == 403


def test_delay_fault_outlasts_a_short_client_timeout(imds, control):
    client = Client(imds, timeout=0.2)
    control.fault(delay=1.0, count=1)
    with pytest.raises(TimeoutError):
        client.request("PUT", "/latest/api/token", {TTL: "60"})
    client.close()


def test_truncate_fault_promises_more_than_it_sends(imds, client, control):
    control.fault(truncate=True, path="/mac$")
    status_line, headers, body = split_response(raw_get(imds, client.token, "/latest/meta-data/mac"))
    assert status_line.startswith("HTTP/1.1 200")
    assert body == PRIMARY.encode() and int(headers["content-length"]) > len(body)
    with pytest.raises(http.client.IncompleteRead):
        client.get("/latest/meta-data/mac")


def test_oversize_fault_sends_a_huge_valid_body(client, control):
    control.fault(oversize=5_000_000, path="/mac$", count=1)
    status, body = client.get("/latest/meta-data/mac")
    assert status == 200 and len(body) == 5_000_000
    assert client.get("/latest/meta-data/mac") == (200, PRIMARY.encode())  # still keep-alive


def test_chunked_fault_sends_a_valid_chunked_body(imds, client, control):
    control.fault(chunked=True, path="/local-ipv4s$")
    status_line, headers, raw_body = split_response(raw_get(imds, client.token, f"{MACS}{PRIMARY}/local-ipv4s"))
    assert headers["transfer-encoding"] == "chunked" and "content-length" not in headers
    assert raw_body.endswith(b"0\r\n\r\n") and raw_body.count(b"\r\n") > 4  # more than one chunk
    assert client.get(f"{MACS}{PRIMARY}/local-ipv4s") == (200, b"10.0.0.10\n10.0.0.11")


def test_bad_content_length_fault(imds, client, control):
    control.fault(bad_content_length=True, path="/mac$")
    _, headers, body = split_response(raw_get(imds, client.token, "/latest/meta-data/mac"))
    assert not headers["content-length"].isdigit()
    assert body == PRIMARY.encode()


def test_reset_fault_closes_without_answering(imds, client, control):
    control.fault(reset=True, path="/mac$", count=1)
    with pytest.raises(ConnectionResetError):
        raw_get(imds, client.token, "/latest/meta-data/mac")
    assert [e["status"] for e in control.log()][-1] is None
    assert client.get("/latest/meta-data/mac") == (200, PRIMARY.encode())


def test_body_fault_replaces_the_value(client, control):
    control.fault(body="10.0.0.10\n[Network]\nDNS=203.0.113.1", path="/local-ipv4s$")
    assert client.get(f"{MACS}{PRIMARY}/local-ipv4s") == (200, b"10.0.0.10\n[Network]\nDNS=203.0.113.1")
    control.clear_faults()
    control.fault(body="10.0.0.300", path="/local-ipv4s$")
    assert client.get(f"{MACS}{PRIMARY}/local-ipv4s") == (200, b"10.0.0.300")


@pytest.mark.parametrize("status", [403, 404])
def test_token_status_fault_hits_only_the_token_put(client, control, status):
    control.fault(token_status=status)
    assert client.get("/latest/meta-data/mac")[0] == 200
    assert client.request("PUT", "/latest/api/token", {TTL: "60"})[0] == status


def test_expire_tokens_fault_forces_one_renewal(client, control):
    control.fault(expire_tokens=True)
    assert client.get("/latest/meta-data/mac")[0] == 401
    client.new_token()
    assert client.get("/latest/meta-data/mac")[0] == 200
    assert client.get("/latest/meta-data/mac")[0] == 200
    assert control.stats()["tokens"] == 2


def test_down_fault_closes_every_connection_but_control_works(imds, client, control):
    control.fault(down=True)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        client.get("/latest/meta-data/mac")
    fresh = Client(imds)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        fresh.request("PUT", "/latest/api/token", {TTL: "60"})
    control.clear_faults()
    fresh = Client(imds)
    fresh.new_token()
    assert fresh.get("/latest/meta-data/mac") == (200, PRIMARY.encode())


# -- connection counting ----------------------------------------------------------

def test_keep_alive_requests_share_one_connection(imds, control):
    client = Client(imds)
    client.new_token()
    for _ in range(3):
        assert client.get("/latest/meta-data/mac")[0] == 200
    assert control.stats() == {"requests": 4, "connections": 1, "tokens": 1, "dropped": 0}
    second = Client(imds)
    second.token = client.token
    second.get("/latest/meta-data/mac")
    assert control.stats()["connections"] == 2  # control calls are never counted
    client.close()
    second.close()


def test_connection_without_a_request_is_counted(imds, control):
    socket.create_connection((imds.host, imds.port)).close()
    # The server notices the close on its handler thread, which nothing here
    # can wait on directly, so poll the counter (bounded) instead of sleeping.
    for _ in range(200):
        if control.stats()["connections"] == 1:
            break
    assert control.stats()["connections"] == 1


def test_content_length_always_sent(imds, client):
    for path in ["/latest/meta-data/mac", "/latest/meta-data/nope", MACS]:
        _, headers, body = split_response(raw_get(imds, client.token, path))
        assert headers["content-length"] == str(len(body))


# -- command line -----------------------------------------------------------------

def start_program(tmp_path: Path, listen: str) -> tuple[subprocess.Popen, int]:
    scenario_file = tmp_path / "scenario.json"
    scenario_file.write_text(json.dumps(scenario()))
    port_file = tmp_path / "port"
    process = subprocess.Popen(
        [sys.executable, str(MOCK_PROGRAM), "--listen", listen, "--scenario", str(scenario_file),
         "--port-file", str(port_file), "--log-file", str(tmp_path / "log.jsonl")],
        stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()  # printed once the socket listens
    assert line.startswith("listening on "), line
    return process, int(port_file.read_text())


def stop_program(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_program_serves_writes_port_and_log_and_stops_on_sigterm(tmp_path):
    process, port = start_program(tmp_path, "127.0.0.1:0")
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("PUT", "/latest/api/token", headers={TTL: "60"})
        response = connection.getresponse()
        assert response.status == 200
        response.read()
        connection.close()
    finally:
        assert stop_program(process) == 0
    entries = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert entries[0]["path"] == "/latest/api/token" and entries[0]["status"] == 200


@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback")
def test_program_listens_on_ipv6_loopback(tmp_path):
    process, port = start_program(tmp_path, "[::1]:0")
    try:
        assert ControlClient(f"http://[::1]:{port}").stats()["requests"] == 0
    finally:
        assert stop_program(process) == 0


def test_module_is_stdlib_only():
    source = MOCK_PROGRAM.read_text()
    imported = {line.split()[1].split(".")[0] for line in source.splitlines()
                if line.startswith(("import ", "from ")) and not line.startswith("from __future__")}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
