// SPDX-License-Identifier: Apache-2.0
// uprobe_multi links (Linux 6.6+): one link holds one program at many offsets of one file. Detaching
// a perf-event uprobe waits for RCU grace periods under the kernel's event lock, one probe after the
// other; a uprobe_multi link waits once, and links closed side by side share their waits. libbpf 1.1
// predates them: links are made with the raw bpf(BPF_LINK_CREATE) call.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace plaintap {

// enum bpf_attach_type BPF_TRACE_UPROBE_MULTI in the kernel's UAPI (the system's 6.1 header lacks it).
constexpr uint32_t kTraceUprobeMulti = 48;

// One probe of a link: a file offset and the cookie bpf_get_attach_cookie() returns there.
struct UprobeMultiTarget {
  uint64_t offset;
  uint64_t cookie;
};

// True when the kernel makes uprobe_multi links that filter by process (the first 6.6 releases
// filtered by thread; libbpf refuses those too). Probed once with a two-instruction program; any thread.
bool UprobeMultiSupported();

// Attaches prog_fd, loaded with expected_attach_type kTraceUprobeMulti, at every target of the
// file at path: at function entry, or at its returns when retprobe. pid > 0: in that process
// only. Returns the link's fd (closing it detaches every probe of the link), or -errno. Any thread.
int CreateUprobeMultiLink(int prog_fd, const std::string& path, const std::vector<UprobeMultiTarget>& targets,
                          bool retprobe, int pid);

}  // namespace plaintap
