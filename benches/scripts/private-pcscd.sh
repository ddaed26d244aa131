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
