#!/usr/bin/env python3
"""Prints a TCP port nothing listens on, for a server the calling script starts next.

Chosen below the kernel's ephemeral range (net.ipv4.ip_local_port_range), so that no outgoing
connection can take it before the server binds it, as a port from bind(0) could; at random, so
that scripts running at once rarely pick the same one.
"""
import random
import socket
import sys

try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
        ephemeral_low = int(ports.read().split()[0])
except OSError:
    ephemeral_low = 32768
low, high = (20000, ephemeral_low - 1) if ephemeral_low - 20000 > 1000 else (1024, ephemeral_low - 1)
for _ in range(500):
    port = random.randint(low, high)
    with socket.socket() as candidate:
        try:
            candidate.bind(("0.0.0.0", port))
        except OSError:
            continue
    print(port)
    sys.exit(0)
sys.exit("free-port: no free port between %d and %d" % (low, high))
