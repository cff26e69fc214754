// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The floor plaintap is measured against: the same hook points as
 * bpf/plaintap.bpf.c, either doing nothing (mode 0: the cost of the probes
 * alone) or copying every call's bytes into a ring buffer (mode 1: a minimal
 * capture). Benchmark tooling only; never part of the agent.
 *
 * Per target (floor.c attaches them): OpenSSL (writes at entry, reads at
 * return), Node.js's static OpenSSL (memory BIOs: writes at return, as plaintap
 * emits them), Go crypto/tls (Write at entry, Read at each RET instruction) and
 * PostgreSQL (the statement text where a portal is defined).
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

/* A call whose bytes are known at its return: the buffer (and size) seen at
 * entry. */
struct pending_call {
  __u64 buf;
  __u64 num;
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

/* Keyed by thread id (C libraries) or goroutine pointer (Go). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u64);
  __type(value, struct pending_call);
} read_calls SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, __u64);
  __type(value, struct pending_call);
} write_calls SEC(".maps");

static __always_inline struct floor_sample *sample(void) {
  __u32 zero = 0;
  struct floor_sample *s = bpf_map_lookup_elem(&scratch, &zero);

  if (s)
    s->pid = bpf_get_current_pid_tgid() >> 32;
  return s;
}

static __always_inline void copy_out(__u64 buf, __u64 len) {
  struct floor_sample *s = sample();

  if (!s || len == 0)
    return;
  if (len > CHUNK)
    len = CHUNK;
  s->len = len;
  bpf_probe_read_user(s->data, len, (const void *)buf);
  bpf_ringbuf_output(&samples, s, 8 + len, 0);
}

static __always_inline __u64 thread_key(void) {
  return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline void remember(void *map, __u64 key, __u64 buf,
                                     __u64 num) {
  struct pending_call call = {.buf = buf, .num = num};

  if (mode == 1)
    bpf_map_update_elem(map, &key, &call, BPF_ANY);
}

/* The call remembered under key, forgotten; its buffer is 0 when none. */
static __always_inline struct pending_call take(void *map, __u64 key) {
  struct pending_call call = {};
  struct pending_call *found = bpf_map_lookup_elem(map, &key);

  if (found) {
    call = *found;
    bpf_map_delete_elem(map, &key);
  }
  return call;
}

/* ---- OpenSSL (libssl, or linked into Node.js) ---- */

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
  remember(&read_calls, thread_key(), (__u64)buf, 0);
  return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(read_return, int ret) {
  struct pending_call call;

  if (mode != 1)
    return 0;
  call = take(&read_calls, thread_key());
  if (call.buf && ret > 0)
    copy_out(call.buf, (__u64)ret);
  return 0;
}

/* Memory-BIO writes (Node.js): the bytes are copied when the call returns. */
SEC("uprobe")
int BPF_KPROBE(write_deferred_entry, void *ssl, const void *buf, __u64 num) {
  remember(&write_calls, thread_key(), (__u64)buf, num);
  return 0;
}

/* SSL_write returns the count written; SSL_write_ex returns 1 (all of num). */
SEC("uretprobe")
int BPF_KRETPROBE(write_return, int ret) {
  struct pending_call call;

  if (mode != 1)
    return 0;
  call = take(&write_calls, thread_key());
  if (call.buf && ret > 0)
    copy_out(call.buf, (__u64)ret);
  return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(write_ex_return, int ret) {
  struct pending_call call;

  if (mode != 1)
    return 0;
  call = take(&write_calls, thread_key());
  if (call.buf && ret == 1)
    copy_out(call.buf, call.num);
  return 0;
}

/* ---- Go crypto/tls (register ABI: receiver in RAX, the slice in RBX/RCX, g in
 * R14) ---- */

#if defined(__TARGET_ARCH_x86)
SEC("uprobe")
int go_write_entry(struct pt_regs *ctx) {
  __s64 len = (__s64)ctx->cx;

  if (mode == 1 && len > 0)
    copy_out(ctx->bx, (__u64)len);
  return 0;
}

SEC("uprobe")
int go_read_entry(struct pt_regs *ctx) {
  remember(&read_calls, ctx->r14, ctx->bx, 0);
  return 0;
}

/* On one RET instruction of (*Conn).Read: RAX holds n. */
SEC("uprobe")
int go_read_return(struct pt_regs *ctx) {
  struct pending_call call;
  __s64 n = (__s64)ctx->ax;

  if (mode != 1)
    return 0;
  call = take(&read_calls, ctx->r14);
  if (call.buf && n > 0)
    copy_out(call.buf, (__u64)n);
  return 0;
}
#endif

/* ---- PostgreSQL ---- */

/* PortalDefineQuery(Portal, const char *prepStmtName, const char *sourceText,
 * ...): once per statement run. */
SEC("uprobe")
int BPF_KPROBE(pg_define_query_entry, void *portal, const char *name,
               const char *source) {
  struct floor_sample *s;
  long n;

  if (mode != 1)
    return 0;
  s = sample();
  if (!s)
    return 0;
  n = bpf_probe_read_user_str(s->data, 4096, source);
  if (n <= 0)
    return 0;
  s->len = n;
  bpf_ringbuf_output(&samples, s, 8 + (n & 8191),
                     0); /* n <= 4096: the mask tells the verifier */
  return 0;
}

SEC("uprobe")
int BPF_KPROBE(other_entry) { return 0; }

SEC("uretprobe")
int BPF_KRETPROBE(other_return) { return 0; }

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
