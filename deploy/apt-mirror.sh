# Sourced by the image builds: prints the Debian mirror this machine's apt uses (or CORRAL_APT_MIRROR), so
# a rootfs is made from the same packages the host trusts. Fails when apt names none.
apt_mirror() {
  local mirror="${CORRAL_APT_MIRROR:-}"
  if [ -z "$mirror" ]; then
    mirror="$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -m1 -E '/debian/?$' | awk '{print $2}')"
    [ -n "$mirror" ] || mirror="$(grep -hoE '^deb +\S+ +bookworm ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -1)"
  fi
  [ -n "$mirror" ] || { echo "no Debian mirror in the apt sources (set CORRAL_APT_MIRROR)" >&2; return 1; }
  echo "$mirror"
}
