"""Collects what instance programs send to syslog(3).

ec2net logs one line per decision with syslog(3).  The instance's /dev/log
is bound to this datagram socket, so tests can read those lines.
"""
import re
import socket
import threading

# "<30>Nov 25 14:00:00 ec2net[123]: text" (the header is optional for some libcs;
# the ident may be empty: "<30>Nov 25 14:00:00 [123]: text")
_LINE = re.compile(r"^<(?P<pri>\d+)>(?:\w{3} [ \d]\d \d\d:\d\d:\d\d )?(?P<ident>[^\[:]*)(?:\[\d+\])?: ?(?P<text>.*)$",
                   re.DOTALL)


class SyslogCollector:
    def __init__(self, path):
        self.path = path
        self.messages = []  # (ident, text)
        self.severities = []  # syslog severity of each message (0 emerg .. 7 debug)
        self._lock = threading.Lock()
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(path)
        self._thread = threading.Thread(target=self._receive, name="syslog", daemon=True)
        self._thread.start()

    def _receive(self):
        while True:
            try:
                data = self._socket.recv(65536)
            except OSError:
                return  # closed
            text = data.decode(errors="replace").rstrip("\n\0")
            match = _LINE.match(text)
            entry = (match.group("ident"), match.group("text")) if match else ("", text)
            severity = int(match.group("pri")) % 8 if match else 6
            with self._lock:
                self.messages.append(entry)
                self.severities.append(severity)

    def lines(self, ident=None):
        with self._lock:
            return [text for who, text in self.messages if ident is None or who == ident]

    def problems(self, ident=None):
        """Lines at warning level or worse (severity 4 or lower)."""
        with self._lock:
            return [text for (who, text), severity in zip(self.messages, self.severities)
                    if severity <= 4 and (ident is None or who == ident)]

    def close(self):
        self._socket.close()
