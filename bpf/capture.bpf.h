/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Library-independent capture steps: the process filter, learning an SSL
 * object's socket from the syscalls nested in its calls, and emitting data.
 */
#ifndef PLAINTAP_CAPTURE_BPF_H
#define PLAINTAP_CAPTURE_BPF_H

/* tc_packets.bpf.h: a learned connection is also a flow whose packets the pcapng takes. */
static __always_inline void pcap_learn(const struct conn_info *conn, __u32 pid);

/* Set by user space before load. */
const volatile __u32 self_pid = 0;
const volatile __u32 pid_filter_count = 0;
const volatile __u32 comm_filter_count = 0;
const volatile __u32 cgroup_filter_count = 0;
const volatile char comm_filters[PLAINTAP_MAX_COMM_FILTERS][PLAINTAP_COMM_LEN] = {};

static __always_inline bool comm_equal(const char *a, const volatile char *b)
{
	for (int i = 0; i < PLAINTAP_COMM_LEN; i++) {
		if (a[i] != b[i])
			return false;
		if (a[i] == '\0')
			return true;
	}
	return true;
}

/* Deepest cgroup v2 level looked at by the --cgroup filter (kubepods paths are 4 or 5 deep). */
#define MAX_CGROUP_LEVELS 16

/* Is the current task in a --cgroup directory, or below one? */
static __always_inline bool in_filtered_cgroup(void)
{
	__u64 id = bpf_get_current_cgroup_id();

	if (bpf_map_lookup_elem(&cgroup_filter, &id))
		return true;
	/* Level 0 is the root; an ancestor deeper than the task's own cgroup is 0. */
	for (int level = 1; level < MAX_CGROUP_LEVELS; level++) {
		id = bpf_get_current_ancestor_cgroup_id(level);
		if (id == 0)
			break;
		if (bpf_map_lookup_elem(&cgroup_filter, &id))
			return true;
	}
	return false;
}

/* Should the current process be captured? Never ourselves; --pid/--comm/--cgroup are a union. */
static __always_inline bool should_capture(__u32 pid)
{
	char comm[PLAINTAP_COMM_LEN];

	if (pid == self_pid)
		return false;
	if (pid_filter_count == 0 && comm_filter_count == 0 && cgroup_filter_count == 0)
		return true;
	if (pid_filter_count > 0 && bpf_map_lookup_elem(&pid_filter, &pid))
		return true;
	if (cgroup_filter_count > 0 && in_filtered_cgroup())
		return true;
	if (comm_filter_count == 0)
		return false;
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < PLAINTAP_MAX_COMM_FILTERS; i++) {
		if (i >= comm_filter_count)
			break;
		if (comm_equal(comm, comm_filters[i]))
			return true;
	}
	return false;
}

/* The library a uprobe serves: user space passes enum tls_library as the attach cookie. */
static __always_inline __u8 probe_library(void *ctx)
{
	__u8 library = (__u8)bpf_get_attach_cookie(ctx);

	return library ? library : TLS_LIBRARY_OPENSSL;
}

static __always_inline struct conn_info *lookup_conn(__u32 pid, __u64 ssl)
{
	struct ssl_key key = {.pid = pid, .ssl = ssl};

	return bpf_map_lookup_elem(&ssl_conns, &key);
}

/* Emit buf[0..len) as one or more data records. */
static __always_inline void emit_data(__u32 pid, __u64 ssl, __u8 library, __u8 direction, __u64 buf, __u32 len,
				      const struct conn_info *conn)
{
	__u32 zero = 0;
	struct record_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct record_header *h;
	__u64 id = bpf_get_current_pid_tgid();

	if (!s || len == 0)
		return;
	h = &s->header;
	h->type = RECORD_TYPE_DATA;
	h->abi_version = PLAINTAP_ABI_VERSION;
	h->timestamp_ns = bpf_ktime_get_ns();
	h->ssl_ptr = ssl;
	h->pid = pid;
	h->tid = (__u32)id;
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->original_len = len;
	h->direction = direction;
	h->tls_library = library;
	h->close_reason = CLOSE_REASON_NONE;
	h->flags = len > PLAINTAP_CHUNK_BYTES * PLAINTAP_MAX_CHUNKS ? RECORD_FLAG_TRUNCATED : 0;
	h->_pad[0] = 0;
	h->_pad[1] = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	if (conn) {
		h->sock_id = conn->sock_id;
		h->fd = conn->fd;
		h->family = conn->family;
		h->local_port = conn->local_port;
		h->remote_port = conn->remote_port;
		__builtin_memcpy(h->local_addr, conn->local_addr, sizeof(h->local_addr));
		__builtin_memcpy(h->remote_addr, conn->remote_addr, sizeof(h->remote_addr));
	} else {
		h->sock_id = 0;
		h->fd = -1;
		h->family = 0;
		h->local_port = 0;
		h->remote_port = 0;
		__builtin_memset(h->local_addr, 0, sizeof(h->local_addr));
		__builtin_memset(h->remote_addr, 0, sizeof(h->remote_addr));
		h->flags |= RECORD_FLAG_NO_SOCKET;
		counter_add(COUNTER_SOCKET_UNRESOLVED, 1);
	}

	/* 64-bit arithmetic: the verifier loses bounds across 32-bit subregisters. */
	for (__u64 i = 0; i < PLAINTAP_MAX_CHUNKS; i++) {
		__u64 offset = i * PLAINTAP_CHUNK_BYTES;
		__u64 n;

		if (offset >= (__u64)len)
			break;
		n = (__u64)len - offset;
		if (n > PLAINTAP_CHUNK_BYTES)
			n = PLAINTAP_CHUNK_BYTES;
		h->chunk_offset = offset;
		h->captured_len = n;
		/* A failed read (page not present) still reports the call, empty. */
		if (bpf_probe_read_user(s->payload, n, (const void *)(buf + offset)) != 0) {
			h->captured_len = 0;
			h->flags |= RECORD_FLAG_TRUNCATED;
			n = 0;
		}
		if (bpf_ringbuf_output(&events, s, sizeof(*h) + n, 0) != 0)
			counter_add(COUNTER_RINGBUF_LOST, 1);
	}
}

/*
 * Libraries that do TLS into memory buffers (Node.js: OpenSSL with memory
 * BIOs) make no socket syscall inside SSL_read/SSL_write: the event loop
 * reads the socket just before SSL_read and writes it just after SSL_write or
 * the handshake step, on the same thread. Those adjacent syscalls teach the
 * socket instead of nested ones.
 */
static __always_inline bool memory_bio(__u8 library)
{
	return library == TLS_LIBRARY_NODEJS;
}

/* Remember ssl's socket (fd on the current task); false when fd is no TCP socket or, for a memory-BIO library, already another SSL object's. */
static __always_inline bool learn_conn(__u32 pid, __u64 ssl, __u8 library, int fd, struct conn_info *conn)
{
	struct ssl_key key = {.pid = pid, .ssl = ssl};
	struct sock *sk = tcp_sock_from_fd(fd);
	__u64 *owner;

	if (!sk || !conn_from_sock(sk, fd, conn))
		return false;
	if (memory_bio(library)) {
		owner = bpf_map_lookup_elem(&sock_owner, &conn->sock_id);
		if (owner && *owner != ssl)
			return false;
		bpf_map_update_elem(&sock_owner, &conn->sock_id, &ssl, BPF_ANY);
	}
	bpf_map_update_elem(&ssl_conns, &key, conn, BPF_ANY);
	track_sock(conn->sock_id, pid);
	pcap_learn(conn, pid);
	return true;
}

/*
 * A syscall on fd by a thread that is inside (or, for entry-only hooks and
 * memory-BIO libraries, just came out of) a TLS call: learn the SSL object's
 * socket if we don't know it yet, and emit a write that was waiting for it.
 */
static __always_inline void learn_fd(int fd, bool is_read)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	struct active_call *call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);
	struct ssl_key key = {};
	struct conn_info conn = {};

	if (!call)
		return;
	if (memory_bio(call->library) && is_read) {
		/* The socket read before an SSL_read is the one its bytes came from. */
		call->read_fd_slot = fd >= 0 ? (__u32)fd + 1 : 0;
		return;
	}
	if (call->kind == 0)
		return;
	key.pid = pid;
	key.ssl = call->ssl;
	if (bpf_map_lookup_elem(&ssl_conns, &key))
		return;
	if (!learn_conn(pid, key.ssl, call->library, fd, &conn))
		return;
	if (call->pending_len) {
		__u32 len = call->pending_len;

		call->pending_len = 0;
		emit_data(pid, key.ssl, call->library, DIRECTION_EGRESS, call->buf, len, &conn);
	}
}

#define LEARN_FD_ON(syscall, is_read)                                                                                  \
	SEC("tracepoint/syscalls/sys_enter_" #syscall)                                                                 \
	int learn_fd_##syscall(struct trace_event_raw_sys_enter *ctx)                                                  \
	{                                                                                                              \
		learn_fd((int)ctx->args[0], is_read);                                                                  \
		db_learn_fd((int)ctx->args[0]);                                                                        \
		return 0;                                                                                              \
	}

LEARN_FD_ON(write, false)
LEARN_FD_ON(writev, false)
LEARN_FD_ON(sendto, false)
LEARN_FD_ON(sendmsg, false)
LEARN_FD_ON(read, true)
LEARN_FD_ON(readv, true)
LEARN_FD_ON(recvfrom, true)
LEARN_FD_ON(recvmsg, true)

#endif /* PLAINTAP_CAPTURE_BPF_H */
