/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The steps every TLS library's probes share: a call's entry marks the
 * thread (tls_enter), a write is emitted at entry (complete there: no return
 * probe), a read at its return, and what is learned about the connection is
 * kept per (pid, session object). The per-library files (tls_openssl,
 * tls_gnutls, tls_nss) only map their functions' arguments onto these.
 */

/*
 * Libraries whose writes are emitted at their return, with the count the call
 * took: Node (memory BIOs) and NSS (non-blocking sockets) both retry a write
 * that returned "would block" with the same bytes.
 */
static __always_inline bool write_at_return(__u8 library)
{
	return memory_bio(library) || library == TLS_LIBRARY_NSS;
}
#ifndef PLAINTAP_TLS_CALLS_BPF_H
#define PLAINTAP_TLS_CALLS_BPF_H

static __always_inline void tls_enter(__u64 ssl, __u8 library, __u8 kind, __u64 buf, __u64 len_ptr, __u32 pending_len)
{
	struct active_call *call =
		bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!call)
		return;
	call->ssl = ssl;
	call->buf = buf;
	call->len_ptr = len_ptr;
	call->pending_len = pending_len;
	call->iov_count = 0;
	call->kind = kind;
	call->library = library;
}

static __always_inline void call_write_len(__s64 num)
{
	struct active_call *call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);

	if (call)
		call->write_len = (__u32)num;
}

/* Entry of a write of buf[0..num) on session ssl. */
static __always_inline void tls_write(__u64 ssl, __u8 library, __u64 buf, __s64 num)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct conn_info *conn;

	if (!should_capture(pid) || num <= 0)
		return;
	if (write_at_return(library)) {
		/*
		 * Node retries a write that failed during the handshake (SSL_write returns -1,
		 * WANT_READ) with the same bytes, NSS one that would block: only its return says
		 * they were taken.
		 */
		tls_enter(ssl, library, CALL_WRITE, buf, 0, 0);
		call_write_len(num);
		return;
	}
	conn = lookup_conn(pid, ssl);
	if (conn) {
		tls_enter(ssl, library, CALL_WRITE, buf, 0, 0);
		emit_data(pid, ssl, library, DIRECTION_EGRESS, buf, (__u32)num, conn);
		return;
	}
	/* Socket unknown yet: the nested (or, for memory BIOs, next) send emits it (learn_fd). */
	tls_enter(ssl, library, CALL_WRITE, buf, 0, (__u32)num);
}

/* Entry of a gathering write (NSS PR_Writev) of iov_count { base, len } entries at iov, total bytes. */
static __always_inline void tls_writev(__u64 ssl, __u8 library, __u64 iov, __u32 iov_count, __s64 total)
{
	struct active_call *call;

	if (!should_capture(bpf_get_current_pid_tgid() >> 32) || total <= 0 || iov_count == 0)
		return;
	tls_enter(ssl, library, CALL_WRITE, iov, 0, 0);
	call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);
	if (!call)
		return;
	call->write_len = (__u32)total;
	call->iov_count = iov_count > PLAINTAP_MAX_IOVECS ? PLAINTAP_MAX_IOVECS : (__u16)iov_count;
}

/* NSPR's PRIOVec. */
struct tls_iovec {
	__u64 base;
	__s32 len;
	__u32 _pad;
};

/* What the loop over a gathering write's entries needs (bpf_loop: its body is verified once). */
struct iovec_emit {
	__u64 ssl;
	__u64 iov;
	__u32 pid;
	__u32 left;
	__u32 count;
	__u8 library;
	bool has_conn;
	struct conn_info conn;
};

static long emit_iovec(__u32 i, struct iovec_emit *e)
{
	struct tls_iovec iov = {};
	__u32 n;

	if (i >= e->count || e->left == 0)
		return 1;
	if (bpf_probe_read_user(&iov, sizeof(iov), (const void *)(e->iov + (__u64)i * sizeof(iov))) != 0)
		return 1;
	if (iov.len <= 0)
		return 0;
	n = (__u32)iov.len < e->left ? (__u32)iov.len : e->left;
	emit_data(e->pid, e->ssl, e->library, DIRECTION_EGRESS, iov.base, n, e->has_conn ? &e->conn : NULL);
	e->left -= n;
	return 0;
}

/*
 * Take the state of a write-at-return call at its return: the bytes it was given, 0 when no
 * such write is in progress.
 */
static __always_inline __u32 take_write(struct active_call *call)
{
	__u32 len;

	if (!call || call->kind != CALL_WRITE || call->write_len == 0)
		return 0;
	len = call->write_len;
	call->write_len = 0;
	/* Node learns its socket from the syscall after the write; the others' are nested: the call is over. */
	if (!memory_bio(call->library))
		call->kind = 0;
	return len;
}

/*
 * Return of a write of a write-at-return library (the only ones with a write return probe):
 * emit what was taken (ret bytes, or all of it for ret 1 of the _ex variants).
 */
static __always_inline void tls_write_return(long ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct active_call *call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);
	__u32 len = take_write(call);

	if (!call || len == 0 || ret <= 0)
		return;
	if (ret != 1 && (__u64)ret < len)
		len = (__u32)ret;
	/* Unknown socket (its handshake was not seen): emitted without it, counted, never dropped. */
	emit_data(pid, call->ssl, call->library, DIRECTION_EGRESS, call->buf, len, lookup_conn(pid, call->ssl));
}

/* Return of a gathering write: emit the first ret bytes of its entries. */
static __always_inline void tls_writev_return(long ret)
{
	struct active_call *call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);
	__u32 len = take_write(call);
	struct iovec_emit e = {};
	struct conn_info *conn;

	if (!call || len == 0 || ret <= 0 || call->iov_count == 0)
		return;
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.ssl = call->ssl;
	e.iov = call->buf;
	e.count = call->iov_count;
	e.library = call->library;
	e.left = (__u64)ret < len ? (__u32)ret : len;
	call->iov_count = 0;
	conn = lookup_conn(e.pid, e.ssl);
	if (conn) {
		e.conn = *conn;
		e.has_conn = true;
	}
	bpf_loop(PLAINTAP_MAX_IOVECS, emit_iovec, &e, 0);
}

/* Entry of a read into buf; len_ptr: where the byte count is written (_ex variants), else 0. */
static __always_inline void tls_read_enter(__u64 ssl, __u8 library, __u64 buf, __u64 len_ptr)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (should_capture(pid))
		tls_enter(ssl, library, CALL_READ, buf, len_ptr, 0);
}

/* Entry of a handshake step: its syscalls teach the socket before the first write. */
static __always_inline void tls_handshake_enter(__u64 ssl, __u8 library)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (should_capture(pid))
		tls_enter(ssl, library, CALL_HANDSHAKE, 0, 0, 0);
}

/* Return of a read: ret is the byte count, or 1 for success when the count went to len_ptr. */
static __always_inline void tls_read_return(void *ctx, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	struct active_call *call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);
	struct conn_info learned = {};
	struct conn_info *conn;
	__u64 ssl, buf;
	__u8 library;
	size_t len = 0;

	if (!call || call->kind != CALL_READ)
		return;
	ssl = call->ssl;
	buf = call->buf;
	library = call->library;
	if (call->len_ptr) {
		if (ret == 1)
			bpf_probe_read_user(&len, sizeof(len), (const void *)call->len_ptr);
	} else if (ret > 0) {
		len = ret;
	}
	conn = lookup_conn(pid, ssl);
	if (!conn && memory_bio(library)) {
		/* Bytes came out, so they went in from the socket this thread read last. */
		if (len > 0 && call->read_fd_slot > 0 &&
		    learn_conn(pid, ssl, library, (int)(call->read_fd_slot - 1), &learned))
			conn = &learned;
		/* Still unknown: keep the marker, the handshake's next write teaches the socket. */
		if (!conn) {
			if (len > 0)
				emit_data(pid, ssl, library, DIRECTION_INGRESS, buf, (__u32)len, 0);
			return;
		}
	}
	call->kind = 0; /* the read is over: no stale marker for the next syscalls */
	if (len > 0) {
		emit_data(pid, ssl, library, DIRECTION_INGRESS, buf, (__u32)len, conn);
		/* Data read: the handshake is done, even one made implicitly (secrets: OpenSSL probes only, by cookie). */
		emit_secrets(ctx, pid, ssl);
	}
}

/* The application gave the session its socket (SSL_set_fd, gnutls_transport_set_int2). */
static __always_inline void tls_set_fd(__u64 ssl, int fd)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct ssl_key key = {.pid = pid, .ssl = ssl};
	struct conn_info conn = {};
	int local_fd = fd;
	struct sock *sk;

	if (!should_capture(pid))
		return;
	sk = tcp_sock_from_fd(local_fd);
	if (!sk || !conn_from_sock(sk, local_fd, &conn))
		return;
	bpf_map_update_elem(&ssl_conns, &key, &conn, BPF_ANY);
	track_sock(conn.sock_id, pid);
	pcap_learn(&conn, pid);
}

/* The session is freed: its address may serve another connection next. */
static __always_inline void tls_free(__u64 ssl)
{
	struct ssl_key key = {.pid = bpf_get_current_pid_tgid() >> 32, .ssl = ssl};
	struct conn_info *conn = bpf_map_lookup_elem(&ssl_conns, &key);
	__u64 *owner;

	if (conn) {
		__u64 sock_id = conn->sock_id;

		owner = bpf_map_lookup_elem(&sock_owner, &sock_id);
		if (owner && *owner == ssl)
			bpf_map_delete_elem(&sock_owner, &sock_id);
	}
	bpf_map_delete_elem(&ssl_conns, &key);
	if (secrets_enabled)
		bpf_map_delete_elem(&secrets_sent, &key);
}

#endif /* PLAINTAP_TLS_CALLS_BPF_H */
