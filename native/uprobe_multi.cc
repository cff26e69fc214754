// SPDX-License-Identifier: Apache-2.0
#include "uprobe_multi.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace plaintap {

namespace {

// enum bpf_link_create's uprobe_multi.flags: probe the returns, not the entries (kernel UAPI).
constexpr uint32_t kUprobeMultiReturn = 1;

// union bpf_attr as BPF_LINK_CREATE reads it for a uprobe_multi link, after the kernel's UAPI
// (`bpftool btf dump file /sys/kernel/btf/vmlinux format c`, union bpf_attr, link_create). The
// kernel treats the bytes it is not given as zero.
struct LinkCreateUprobeMulti {
  uint32_t prog_fd;
  uint32_t target_fd;
  uint32_t attach_type;
  uint32_t flags;
  uint64_t path;             // const char*
  uint64_t offsets;          // const unsigned long[cnt]
  uint64_t ref_ctr_offsets;  // const unsigned long[cnt] or 0
  uint64_t cookies;          // const __u64[cnt] or 0
  uint32_t cnt;
  uint32_t multi_flags;
  uint32_t pid;
  uint32_t padding;
};
static_assert(offsetof(LinkCreateUprobeMulti, path) == 16, "link_create.uprobe_multi starts after 4 words");
static_assert(offsetof(LinkCreateUprobeMulti, cnt) == 48, "uprobe_multi.cnt follows 4 pointers");
static_assert(offsetof(LinkCreateUprobeMulti, pid) == 56, "uprobe_multi.pid is its last field");
static_assert(sizeof(unsigned long) == sizeof(uint64_t), "the kernel reads offsets as unsigned long");

int LinkCreate(int prog_fd, const char* path, const uint64_t* offsets, const uint64_t* cookies, uint32_t cnt,
               uint32_t flags, uint32_t pid) {
  LinkCreateUprobeMulti attr;
  memset(&attr, 0, sizeof(attr));
  attr.prog_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = kTraceUprobeMulti;
  attr.path = reinterpret_cast<uintptr_t>(path);
  attr.offsets = reinterpret_cast<uintptr_t>(offsets);
  attr.cookies = reinterpret_cast<uintptr_t>(cookies);
  attr.cnt = cnt;
  attr.multi_flags = flags;
  attr.pid = pid;
  int fd;
  do {
    fd = static_cast<int>(syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr)));
  } while (fd < 0 && errno == EINTR);
  return fd < 0 ? -errno : fd;
}

// libbpf's probe (probe_uprobe_multi_link in later libbpf): a link on "/" fails with EBADF where
// uprobe_multi exists; with pid -1 too, a kernel that checks the pid first (the fixed process
// filter) says EINVAL before it looks at the file.
bool ProbeUprobeMulti() {
  const struct bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                   // exit
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = static_cast<bpf_attach_type>(kTraceUprobeMulti));
  int prog_fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, nullptr, "GPL", insns, 2, &opts);
  if (prog_fd < 0) return false;
  uint64_t offset = 0;
  int link_fd = LinkCreate(prog_fd, "/", &offset, nullptr, 1, 0, 0);
  bool supported = link_fd == -EBADF;
  if (supported) {
    link_fd = LinkCreate(prog_fd, "/", &offset, nullptr, 1, 0, static_cast<uint32_t>(-1));
    supported = link_fd == -EINVAL;
  }
  if (link_fd >= 0) close(link_fd);
  close(prog_fd);
  return supported;
}

}  // namespace

bool UprobeMultiSupported() {
  static const bool supported = ProbeUprobeMulti();
  return supported;
}

int CreateUprobeMultiLink(int prog_fd, const std::string& path, const std::vector<UprobeMultiTarget>& targets,
                          bool retprobe, int pid) {
  if (targets.empty()) return -EINVAL;
  std::vector<uint64_t> offsets, cookies;
  offsets.reserve(targets.size());
  cookies.reserve(targets.size());
  for (const UprobeMultiTarget& target : targets) {
    offsets.push_back(target.offset);
    cookies.push_back(target.cookie);
  }
  return LinkCreate(prog_fd, path.c_str(), offsets.data(), cookies.data(), static_cast<uint32_t>(targets.size()),
                    retprobe ? kUprobeMultiReturn : 0, pid > 0 ? static_cast<uint32_t>(pid) : 0);
}

}  // namespace plaintap
