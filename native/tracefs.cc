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

bool HasEvents(const std::string& dir) { return access((dir + "/events").c_str(), F_OK) == 0; }
}  // namespace

TracefsStatus EnsureTracefs() {
  TracefsStatus status;
  if (HasEvents(kDebugfsTracing)) {
    status.path = kDebugfsTracing;
    return status;
  }
  status.path = kTracefs;
  if (HasEvents(kTracefs)) return status;
  if (mount("tracefs", kTracefs, "tracefs", 0, nullptr) != 0) {
    status.error = errno;
    return status;
  }
  status.mounted_now = true;
  return status;
}

}  // namespace plaintap
