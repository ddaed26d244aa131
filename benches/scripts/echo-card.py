#!/usr/bin/env python3
"""An independent reference card for the transport benches: a minimal vsmartcard vpcd client
that answers every command APDU with 90 00. Written from vpcd's wire protocol alone
(virtualsmartcard/src/vpcd/vpcd.c: 2-byte big-endian length + payload; a 1-byte payload is a
control code: 00 off, 01 on, 02 reset, 04 get ATR), sharing no code with rutoken-lab's
transport, so that `vpcd-throughput.sh` measures the emulator against something it did not
write.

TCP_NODELAY and TCP_QUICKACK: Debian bookworm's vpcd writes the length and the body of a message
in two writes with Nagle on; without QUICKACK re-armed before each read, every command waits
for the delayed ACK (~40 ms). Any usable vpcd client on Linux needs both.

Usage: echo-card.py HOST:PORT   (reconnects until killed)
"""
import socket
import sys
import time

ATR = bytes.fromhex("3B 95 13 81 01 80 73 FF 01 00 0B")  # vpicc's default ATR
OK = b"\x00\x02\x90\x00"
QUICKACK = getattr(socket, "TCP_QUICKACK", None)


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        if QUICKACK is not None:
            sock.setsockopt(socket.IPPROTO_TCP, QUICKACK, 1)
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("vpcd closed the connection")
        buf += chunk
    return buf


def serve(sock):
    while True:
        size = int.from_bytes(read_exact(sock, 2), "big")
        payload = read_exact(sock, size)
        if size == 1:
            if payload == b"\x04":
                sock.sendall(len(ATR).to_bytes(2, "big") + ATR)
            continue  # 00, 01, 02: no answer
        sock.sendall(OK)


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    while True:
        try:
            sock = socket.create_connection((host, int(port)))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            serve(sock)
        except OSError:
            time.sleep(0.05)


if __name__ == "__main__":
    main()
