// SPDX-License-Identifier: Apache-2.0
// The floor runner: attaches floor.bpf.c's programs to plaintap's hook points
// of one target (in all processes, or one pid) and, in capture mode, drains the
// ring buffer and discards every sample. Prints "ready" when attached and the
// sample count on SIGINT/SIGTERM. Benchmark tooling only.
//
//   floor noop|capture [-p PID] TARGET...
//   TARGET: openssl:FILE  nodejs:FILE  postgres:FILE go:FILE:WRITE:READ:RET,...
//
// FILE is the library or executable to probe. Go's offsets (file offsets of
// crypto/tls.(*Conn).Write, .Read and Read's RET instructions) are computed by
// the benchmark with plaintap's own Go target finder
// (test/bench/floor-args.ts).
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "floor.skel.h"

static volatile sig_atomic_t stopping;
static unsigned long long samples, bytes;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static int on_sample(void *ctx, void *data, size_t size) {
  (void)ctx;
  (void)data;
  samples++;
  bytes += size;
  return 0;
}

struct probe {
  struct bpf_program *prog;
  const char *symbol;
  int ret;
};

static int attach(struct bpf_program *prog, int pid, const char *file,
                  const char *symbol, size_t offset, int ret) {
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = ret, .func_name = symbol);
  struct bpf_link *link =
      bpf_program__attach_uprobe_opts(prog, pid, file, offset, &opts);
  if (!link)
    fprintf(stderr, "floor: %s %s+0x%zx: %s\n", file, symbol ? symbol : "",
            offset, strerror(errno));
  return link ? 0 : -1;
}

static int attach_symbols(const struct probe *probes, size_t count, int pid,
                          const char *file) {
  for (size_t i = 0; i < count; i++)
    if (attach(probes[i].prog, pid, file, probes[i].symbol, 0, probes[i].ret))
      return -1;
  return 0;
}

// Go: uprobes at file offsets (entry of Write and Read, every RET of Read):
// spec is FILE:WRITE:READ:RET,RET,...
static int attach_go(struct floor_bpf *skel, int pid, char *spec) {
  char *file = strtok(spec, ":");
  char *write = strtok(NULL, ":");
  char *read = strtok(NULL, ":");
  char *returns = strtok(NULL, ":");
  if (!file || !write || !read || !returns) {
    fprintf(stderr, "floor: go:%s: want go:FILE:WRITE:READ:RET,...\n", spec);
    return -1;
  }
  if (attach(skel->progs.go_write_entry, pid, file, NULL,
             strtoul(write, NULL, 0), 0) ||
      attach(skel->progs.go_read_entry, pid, file, NULL, strtoul(read, NULL, 0),
             0))
    return -1;
  for (char *ret = strtok(returns, ","); ret; ret = strtok(NULL, ","))
    if (attach(skel->progs.go_read_return, pid, file, NULL,
               strtoul(ret, NULL, 0), 0))
      return -1;
  return 0;
}

static int usage(void) {
  fprintf(stderr, "usage: floor noop|capture [-p PID] TARGET...\n"
                  "  TARGET: openssl:FILE nodejs:FILE postgres:FILE "
                  "go:FILE:WRITE:READ:RET,RET,...\n");
  return 2;
}

// Tracepoints need tracefs, which a fresh machine may not have mounted (the
// agent mounts it the same way, native/tracefs.cc).
static void ensure_tracefs(void) {
  if (access("/sys/kernel/debug/tracing/events", F_OK) == 0 ||
      access("/sys/kernel/tracing/events", F_OK) == 0)
    return;
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) != 0)
    fprintf(stderr, "floor: cannot mount tracefs: %s\n", strerror(errno));
}

int main(int argc, char **argv) {
  if (argc < 3 || (strcmp(argv[1], "noop") && strcmp(argv[1], "capture")))
    return usage();
  int first = 2, pid = -1;
  if (strcmp(argv[2], "-p") == 0) {
    if (argc < 5)
      return usage();
    pid = atoi(argv[3]);
    first = 4;
  }
  struct floor_bpf *skel = floor_bpf__open();
  if (!skel)
    return 1;
  skel->rodata->mode = strcmp(argv[1], "capture") == 0;
  if (floor_bpf__load(skel)) {
    fprintf(stderr, "floor: load failed\n");
    return 1;
  }
  // The OpenSSL probes of agent/capture/targets/openssl.ts.
  const struct probe openssl[] = {
      {skel->progs.write_entry, "SSL_write", 0},
      {skel->progs.write_ex_entry, "SSL_write_ex", 0},
      {skel->progs.read_entry, "SSL_read", 0},
      {skel->progs.read_return, "SSL_read", 1},
      {skel->progs.read_entry, "SSL_read_ex", 0},
      {skel->progs.read_return, "SSL_read_ex", 1},
      {skel->progs.other_entry, "SSL_do_handshake", 0},
      {skel->progs.other_entry, "SSL_set_fd", 0},
      {skel->progs.other_entry, "SSL_free", 0},
  };
  // Node.js: the same, writes taken at their return (MEMORY_BIO_PROBES).
  const struct probe nodejs[] = {
      {skel->progs.write_deferred_entry, "SSL_write", 0},
      {skel->progs.write_return, "SSL_write", 1},
      {skel->progs.write_deferred_entry, "SSL_write_ex", 0},
      {skel->progs.write_ex_return, "SSL_write_ex", 1},
      {skel->progs.read_entry, "SSL_read", 0},
      {skel->progs.read_return, "SSL_read", 1},
      {skel->progs.read_entry, "SSL_read_ex", 0},
      {skel->progs.read_return, "SSL_read_ex", 1},
      {skel->progs.other_entry, "SSL_do_handshake", 0},
      {skel->progs.other_entry, "SSL_set_fd", 0},
      {skel->progs.other_entry, "SSL_free", 0},
  };
  // The PostgreSQL probes of agent/capture/targets/postgres.ts.
  const struct probe postgres[] = {
      {skel->progs.other_entry, "pg_parse_query", 0},
      {skel->progs.pg_define_query_entry, "PortalDefineQuery", 0},
      {skel->progs.other_entry, "PortalRun", 0},
      {skel->progs.other_return, "PortalRun", 1},
      {skel->progs.other_entry, "errcode", 0},
      {skel->progs.other_entry, "EmitErrorReport", 0},
      {skel->progs.other_entry, "AbortCurrentTransaction", 0},
      {skel->progs.other_entry, "ReadyForQuery", 0},
  };
#define ATTACH(list)                                                           \
  attach_symbols(list, sizeof(list) / sizeof(list[0]), pid, file)
  if (first >= argc)
    return usage();
  for (int i = first; i < argc; i++) {
    char *colon = strchr(argv[i], ':');
    if (!colon)
      return usage();
    *colon = '\0';
    const char *target = argv[i], *file = colon + 1;
    int failed;
    if (strcmp(target, "go") == 0)
      failed = attach_go(skel, pid, colon + 1);
    else if (strcmp(target, "openssl") == 0)
      failed = ATTACH(openssl);
    else if (strcmp(target, "nodejs") == 0)
      failed = ATTACH(nodejs);
    else if (strcmp(target, "postgres") == 0)
      failed = ATTACH(postgres);
    else
      return usage();
    if (failed)
      return 1;
  }
  // plaintap's syscall and socket tracepoints (socket learning), as no-ops.
  ensure_tracefs();
  struct bpf_program *prog;
  bpf_object__for_each_program(prog, skel->obj) {
    if (strncmp(bpf_program__section_name(prog), "tracepoint/", 11) == 0 &&
        !bpf_program__attach(prog)) {
      fprintf(stderr, "floor: %s: %s\n", bpf_program__section_name(prog),
              strerror(errno));
      return 1;
    }
  }
  struct ring_buffer *rb =
      ring_buffer__new(bpf_map__fd(skel->maps.samples), on_sample, NULL, NULL);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  printf("ready\n");
  fflush(stdout);
  while (!stopping)
    ring_buffer__poll(rb, 100);
  printf("samples=%llu bytes=%llu\n", samples, bytes);
  ring_buffer__free(rb);
  floor_bpf__destroy(
      skel); // detaches the uprobes too: links are owned by the object
  return 0;
}
