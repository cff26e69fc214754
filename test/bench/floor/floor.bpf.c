// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The floor plaintap is measured against: the same hook points as
 * bpf/plaintap.bpf.c, either doing nothing (mode 0: the cost of the probes
 * alone) or copying every call's bytes into a ring buffer (mode 1: a minimal
 * capture). Benchmark tooling only; never part of the agent.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define CHUNK 16384

const volatile __u32 mode = 0;

struct floor_sample {
  __u32 len;
  __u32 pid;
  __u8 data[CHUNK];
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 * 1024 * 1024);
} samples SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct floor_sample);
} scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u32);
  __type(value, __u64);
} read_bufs SEC(".maps");

static __always_inline void copy_out(__u64 buf, __u64 len) {
  __u32 zero = 0;
  struct floor_sample *s = bpf_map_lookup_elem(&scratch, &zero);

  if (!s || len == 0)
    return;
  if (len > CHUNK)
    len = CHUNK;
  s->len = len;
  s->pid = bpf_get_current_pid_tgid() >> 32;
  bpf_probe_read_user(s->data, len, (const void *)buf);
  bpf_ringbuf_output(&samples, s, 8 + len, 0);
}

SEC("uprobe")
int BPF_KPROBE(write_entry, void *ssl, const void *buf, int num) {
  if (mode == 1 && num > 0)
    copy_out((__u64)buf, (__u64)num);
  return 0;
}

SEC("uprobe")
int BPF_KPROBE(write_ex_entry, void *ssl, const void *buf, size_t num) {
  if (mode == 1)
    copy_out((__u64)buf, num);
  return 0;
}

SEC("uprobe")
int BPF_KPROBE(read_entry, void *ssl, void *buf) {
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  __u64 b = (__u64)buf;

  if (mode == 1)
    bpf_map_update_elem(&read_bufs, &tid, &b, BPF_ANY);
  return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(read_return, int ret) {
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  __u64 *buf;

  if (mode != 1)
    return 0;
  buf = bpf_map_lookup_elem(&read_bufs, &tid);
  if (buf && ret > 0)
    copy_out(*buf, (__u64)ret);
  return 0;
}

SEC("uprobe")
int BPF_KPROBE(other_entry) { return 0; }

#define NOOP_TRACEPOINT(category, name)                                        \
  SEC("tracepoint/" #category "/" #name)                                       \
  int tp_##name(void *ctx) { return 0; }

NOOP_TRACEPOINT(syscalls, sys_enter_write)
NOOP_TRACEPOINT(syscalls, sys_enter_writev)
NOOP_TRACEPOINT(syscalls, sys_enter_sendto)
NOOP_TRACEPOINT(syscalls, sys_enter_sendmsg)
NOOP_TRACEPOINT(syscalls, sys_enter_read)
NOOP_TRACEPOINT(syscalls, sys_enter_readv)
NOOP_TRACEPOINT(syscalls, sys_enter_recvfrom)
NOOP_TRACEPOINT(syscalls, sys_enter_recvmsg)
NOOP_TRACEPOINT(syscalls, sys_enter_close)
NOOP_TRACEPOINT(sock, inet_sock_set_state)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
