"""EC2's link-local allowance (issue 21): 1024 packets per second per ENI
to IMDS, the VPC resolver and NTP together, dropped beyond it (AWS ENA
docs, `linklocal_allowance_exceeded`; amazon-ec2-net-utils #119/#120). The
mock models it (scenario `link_local_allowance`, mock_imds.LinkLocalAllowance:
3 packets per request, per client address; a dropped request is answered
after a TCP retransmission).

ec2net paces its requests to half of it (IMDSClient.requestsPerSecond), so a
64-ENI boot scan and refresh lose nothing, and the files are right.
"""

from __future__ import annotations

from ec2net_harness import EX_OK, eni, file_of

ALLOWANCE = 1024
HALF = ALLOWANCE // 2


def busiest_second(times: list[float]) -> int:
    ordered, best, start = sorted(times), 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_the_model_drops_beyond_the_allowance(make_instance):
    """Against a tiny allowance (10 requests/s) an 8-ENI scan loses requests
    and still ends right: the drops cost time, not correctness."""
    inst = make_instance([eni(i) for i in range(8)], link_local_allowance=30)
    inst.add_devices(range(8))
    assert inst.scan().returncode == EX_OK
    assert inst.imds.stats()["dropped"] > 0
    assert all((inst.root.network_dir / file_of(i)).exists() for i in range(8))


def test_a_64_eni_scan_and_refresh_stay_within_half_of_the_allowance(make_instance):
    enis = [eni(i) for i in range(64)]
    inst = make_instance(enis, link_local_allowance=ALLOWANCE)
    inst.add_devices(range(64))
    for args in ((), ("--refresh",)):
        inst.imds.reset_stats()
        assert inst.scan(*args).returncode == EX_OK
        stats = inst.imds.stats()
        assert stats["dropped"] == 0, stats
        peak = busiest_second([entry["t"] for entry in inst.imds.log()])
        # The mock stamps a request when it answers; allow one of jitter.
        assert peak * 3 <= HALF + 3, f"{peak} requests in one second: {peak * 3} packets"
    assert all((inst.root.network_dir / file_of(i)).exists() for i in range(1, 64))
