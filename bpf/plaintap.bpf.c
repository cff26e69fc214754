// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* plaintap kernel side: one compilation unit that includes its parts. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "events.h"

#define AF_INET	 2
#define AF_INET6 10

#include "maps.bpf.h"
#include "sock.bpf.h"
#include "source_state.bpf.h"
#include "capture.bpf.h"
#include "tls_openssl.bpf.h"
#include "process_exec.bpf.h"
#include "shell_bash.bpf.h"
#include "db_query.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
