// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
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
#include "tc_packets.bpf.h"
#include "tls_secrets.bpf.h"
#include "tls_calls.bpf.h"
#include "tls_openssl.bpf.h"
#include "tls_gnutls.bpf.h"
#include "tls_nss.bpf.h"
#include "tls_go.bpf.h"
#include "process_exec.bpf.h"
#include "shell_bash.bpf.h"
#include "db_query.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
