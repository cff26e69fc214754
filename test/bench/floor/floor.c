// SPDX-License-Identifier: Apache-2.0
// The floor runner: `floor noop|capture LIBSSL [PID]` attaches floor.bpf.c's
// programs (to all processes, or one pid) and, in capture mode, drains the ring
// buffer and discards every sample. Prints "ready" when attached and the sample
// count on SIGINT/SIGTERM. Benchmark tooling only.
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int attach_uprobe(struct bpf_program *prog, int pid, const char *lib,
                         const char *symbol, int ret) {
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = ret, .func_name = symbol);
  struct bpf_link *link =
      bpf_program__attach_uprobe_opts(prog, pid, lib, 0, &opts);
  if (!link)
    fprintf(stderr, "floor: %s %s: %s\n", lib, symbol, strerror(errno));
  return link ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 3 || (strcmp(argv[1], "noop") && strcmp(argv[1], "capture"))) {
    fprintf(stderr, "usage: floor noop|capture LIBSSL [PID]\n");
    return 2;
  }
  const char *lib = argv[2];
  int pid = argc > 3 ? atoi(argv[3]) : -1;
  struct floor_bpf *skel = floor_bpf__open();
  if (!skel)
    return 1;
  skel->rodata->mode = strcmp(argv[1], "capture") == 0;
  if (floor_bpf__load(skel)) {
    fprintf(stderr, "floor: load failed\n");
    return 1;
  }
  struct {
    struct bpf_program *prog;
    const char *symbol;
    int ret;
  } probes[] = {
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
  for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
    if (attach_uprobe(probes[i].prog, pid, lib, probes[i].symbol,
                      probes[i].ret))
      return 1;
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
