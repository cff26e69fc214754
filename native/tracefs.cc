// SPDX-License-Identifier: Apache-2.0
#include "tracefs.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

namespace plaintap {

namespace {
constexpr const char* kTracefs = "/sys/kernel/tracing";
// libbpf prefers debugfs's tracing directory when it exists.
constexpr const char* kDebugfsTracing = "/sys/kernel/debug/tracing";

// 0 when dir/events exists, else the errno of the lookup (EACCES: there, but not enterable).
int EventsErrno(const std::string& dir) { return access((dir + "/events").c_str(), F_OK) == 0 ? 0 : errno; }
bool HasEvents(const std::string& dir) { return EventsErrno(dir) == 0; }
}  // namespace

TracefsStatus EnsureTracefs() {
  TracefsStatus status;
  if (HasEvents(kDebugfsTracing)) {
    status.path = kDebugfsTracing;
    return status;
  }
  status.path = kTracefs;
  int lookup = EventsErrno(kTracefs);
  if (lookup == 0) return status;
  // Mounted but closed to this user (a non-root user with CAP_BPF + CAP_PERFMON): mounting again
  // would fail with a misleading EPERM.
  if (lookup == EACCES) {
    status.error = EACCES;
    status.not_enterable = true;
    return status;
  }
  if (mount("tracefs", kTracefs, "tracefs", 0, nullptr) != 0) {
    status.error = errno;
    return status;
  }
  status.mounted_now = true;
  return status;
}

}  // namespace plaintap
