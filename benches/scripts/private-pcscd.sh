# Sourced by the bench scripts that talk to a private pcscd with a vpcd reader (the tests' set-up:
# a mount namespace of their own, so the machine's pcscd is never touched).

# Exits 2 unless root and every named tool is there (vpcd's driver included).
require_private_pcscd() {
  if [ "$(id -u)" != 0 ]; then echo "needs root (a private mount namespace for pcscd)" >&2; exit 2; fi
  for tool in unshare pcscd "$@"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
  done
  [ -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ] || { echo "missing: vsmartcard-vpcd" >&2; exit 2; }
}

# Prints a port P with P and P + 1 free (vpcd's driver listens on both: two slots), chosen by the
# kernel, so that no fixed number collides with another listener or with an outgoing connection's
# ephemeral port (Linux hands those out from 32768 up: the CI run of 7 Dec 2026 failed on a fixed
# 36120 with "Address already in use").
free_vpcd_port() {
  python3 -c '
import socket, sys
for _ in range(100):
    a, b = socket.socket(), socket.socket()
    try:
        a.bind(("0.0.0.0", 0))
        port = a.getsockname()[1]
        if port < 65535:
            b.bind(("0.0.0.0", port + 1))
            print(port)
            sys.exit(0)
    except OSError:
        pass
    finally:
        a.close()
        b.close()
sys.exit("no free port pair")'
}

# Writes DIR/reader.conf: one vpcd reader listening on PORT (CHANNELID is the port).
write_vpcd_reader_conf() {
  local dir=$1 hex
  hex=$(printf '%04X' "$2")
  cat > "$dir/reader.conf" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME /dev/null:0x$hex
LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID 0x$hex
CONF
}
