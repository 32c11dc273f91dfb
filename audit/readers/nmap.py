"""nmap XML scans: one row per host, read with defusedxml's ``iterparse``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse

from supplygraph.graph.errors import InvalidRecord

from .inventory import Inventory, Row
from .text import byte_offset, stream_size

# -- nmap XML ---------------------------------------------------------------------------------
NMAP_COLUMNS = ["Host", "Hostname", "MAC Address", "Vendor", "Status"]


def _host_row(host: Element) -> list[Any]:
    ip = mac = vendor = ""
    for address in host.iter("address"):
        kind = address.get("addrtype", "")
        if kind == "mac":
            mac = address.get("addr", "")
            vendor = address.get("vendor", "")
        elif kind in ("ipv4", "ipv6") and not ip:
            ip = address.get("addr", "")
    hostname = next((h.get("name", "") for h in host.iter("hostname")), "")
    status = next((s.get("state", "") for s in host.iter("status")), "")
    return [ip, hostname, mac, vendor, status]


_HOST_PARTS = {"address", "hostnames", "hostname", "status"}  # what a row is made of


def read_nmap(binary: IO[bytes], name: str) -> Inventory:
    """Hosts of an nmap XML report (``nmap -oX``): address, hostname, MAC and its vendor.

    Parsed with defusedxml (no entities, no external references). Every element is dropped once
    it ends, except the parts of a host a row is made of, so memory follows one host, whatever
    else (ports, scripts, run statistics, foreign elements) the report holds.
    """
    size = stream_size(binary)
    events = defused_iterparse(binary, events=("start", "end"))
    try:
        _, root = next(events)
    except (ParseError, StopIteration, DefusedXmlException) as exc:
        raise InvalidRecord(name, None, None, f"not XML: {exc}") from None
    if root.tag != "nmaprun":
        raise InvalidRecord(name, None, None, f"not an nmap XML report (root <{root.tag}>)")

    def rows() -> Iterator[Row]:
        count = 0
        stack: list[Element] = [root]
        host: Element | None = None
        try:
            for event, elem in events:
                if event == "start":
                    if elem.tag == "host" and len(stack) == 1:
                        host = elem
                    stack.append(elem)
                    continue
                stack.pop()
                parent = stack[-1] if stack else None
                # The parser runs ahead of the events, so a finished element need not be its
                # parent's last child yet: what is not read is dropped by whole lists.
                if host is not None and elem is host:
                    count += 1
                    yield count, _host_row(elem), None
                    host = None
                    root.clear()
                elif parent is None:
                    continue
                elif host is None:
                    del parent[:]  # outside any host nothing is read
                elif parent is host:
                    if elem.tag not in _HOST_PARTS:
                        elem.clear()
                        if len(host) > 256:
                            host[:] = [c for c in host if c.tag in _HOST_PARTS]
                elif parent.tag not in _HOST_PARTS:
                    del parent[:]  # ports, scripts, ... of a host
        except ParseError as exc:
            line = exc.position[0] if exc.position else None
            yield count + 1, [""] * len(NMAP_COLUMNS), f"XML error at line {line}: {exc}"
        except DefusedXmlException as exc:
            yield count + 1, [""] * len(NMAP_COLUMNS), f"XML refused: {exc}"

    return Inventory(name, "nmap", list(NMAP_COLUMNS), rows(), byte_offset(binary), size)
