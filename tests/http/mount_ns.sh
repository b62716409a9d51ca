# mount_ns.sh — sourced first by a test that mounts a small tmpfs (a disk that fills): the test
# runs again in a private mount namespace (unshare -m: nothing outside it sees the mount), or is
# skipped where it cannot (exit 77 is ctest's SKIP, tests/CMakeLists.txt): it never passes
# without its mount.
if [ -z "${TESELAS_MOUNT_NS:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "SKIP: mounting a tmpfs needs root (CI runs as root)"; exit 77; }
  command -v unshare > /dev/null || { echo "SKIP: unshare (util-linux) is not installed"; exit 77; }
  unshare -m true 2> /dev/null || { echo "SKIP: no private mount namespace here (unshare -m refused)"; exit 77; }
  TESELAS_MOUNT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

# mount_small DIR SIZE: a tmpfs of SIZE at DIR, once lib.sh is sourced (skips when refused).
mount_small() {
  mkdir -p "$1"
  mount -t tmpfs -o size="$2" tmpfs "$1" 2> "$TEST_TMP/mount.log" \
    || skip "cannot mount a tmpfs: $(cat "$TEST_TMP/mount.log")"
}
