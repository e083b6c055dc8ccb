"""A ping loop from the VPC namespace to an address in the guest: the
requests lost between its first and last reply, and the longest gap between
replies (reported)."""
import re

PING_INTERVAL = 0.1


class Pinger:
    def __init__(self, vpc, address, name="ping"):
        self.process = vpc.spawn(name, ["ping", "-D", "-n", "-i", str(PING_INTERVAL), "-W", "1", address])

    def stop(self):
        self.process.stop()
        return self.replies()

    def replies(self):
        """Timestamps (host clock) of the echo replies received."""
        return [float(m.group(1)) for m in re.finditer(r"^\[(\d+\.\d+)\] \d+ bytes from", self.process.log_text(),
                                                      re.M)]

    def longest_gap(self):
        """Longest time between two consecutive replies (seconds), and the number of replies."""
        times = self.replies()
        gaps = [b - a for a, b in zip(times, times[1:])]
        return (max(gaps) if gaps else None), len(times)

    def lost(self):
        """Echo requests unanswered between the first and the last reply (by
        icmp_seq): those after the last reply may still be in flight."""
        answered = {int(m.group(1)) for m in re.finditer(r"^\[\d+\.\d+\] \d+ bytes from .* icmp_seq=(\d+) ",
                                                         self.process.log_text(), re.M)}
        return (max(answered) - min(answered) + 1 - len(answered)) if answered else None
