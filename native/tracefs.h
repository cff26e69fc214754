// SPDX-License-Identifier: Apache-2.0
// tracefs must be mounted for tracepoint attach (libbpf reads event ids from it).
#pragma once
#include <string>

namespace plaintap {

struct TracefsStatus {
  std::string path;
  bool mounted_now = false;    // we mounted it
  int error = 0;               // errno of a failed mount (or of access when not enterable), 0 on success
  bool not_enterable = false;  // mounted, but this user may not enter it (EACCES): no mount was tried
};

// Mounts tracefs at /sys/kernel/tracing when no tracefs is reachable. Any thread.
TracefsStatus EnsureTracefs();

}  // namespace plaintap
