/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Exec-time attachment: every execve of a process we may capture becomes a
 * small record, so that user space looks at the files the new program maps
 * (its executable now, its libraries as the loader maps them) at once instead
 * of at the next rescan. One mechanism for every TLS source.
 */
#ifndef PLAINTAP_PROCESS_EXEC_BPF_H
#define PLAINTAP_PROCESS_EXEC_BPF_H

SEC("tracepoint/sched/sched_process_exec")
int handle_process_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	__u32 zero = 0;
	struct record_scratch *s;
	struct record_header *h;
	unsigned int name_at = ctx->__data_loc_filename & 0xFFFF;
	long n;

	/* After exec the comm is the new program's: --comm filters apply as for data. */
	if (!should_capture(pid))
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	h = &s->header;
	__builtin_memset(h, 0, sizeof(*h));
	h->type = RECORD_TYPE_PROCESS_EXEC;
	h->abi_version = PLAINTAP_ABI_VERSION;
	h->timestamp_ns = bpf_ktime_get_ns();
	h->pid = pid;
	h->tid = (__u32)id;
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->fd = -1;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	n = bpf_probe_read_kernel_str(s->payload, PLAINTAP_EXEC_PATH_BYTES, (void *)ctx + name_at);
	if (n < 1)
		n = 1;
	/* The terminating NUL is not part of the name. */
	n = n - 1;
	if (n >= PLAINTAP_EXEC_PATH_BYTES)
		n = PLAINTAP_EXEC_PATH_BYTES - 1;
	h->original_len = n;
	h->captured_len = n;
	if (bpf_ringbuf_output(&events, s, sizeof(*h) + (n & (PLAINTAP_EXEC_PATH_BYTES - 1)), 0) != 0)
		counter_add(COUNTER_RINGBUF_LOST, 1);
	return 0;
}

#endif /* PLAINTAP_PROCESS_EXEC_BPF_H */
