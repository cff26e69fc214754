/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The steps every TLS library's probes share: a call's entry marks the
 * thread (tls_enter), a write is emitted at entry (complete there: no return
 * probe), a read at its return, and what is learned about the connection is
 * kept per (pid, session object). The per-library files (tls_openssl,
 * tls_gnutls, tls_nss) only map their functions' arguments onto these.
 */
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
	if (memory_bio(library)) {
		/*
		 * Node retries a write that failed during the handshake (SSL_write returns -1,
		 * WANT_READ) with the same bytes: only its return says they were taken.
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

/*
 * Return of a write of a memory-BIO library (the only ones with a write return probe): emit
 * what was taken (ret bytes, or all of it for ret 1 of the _ex variants).
 */
static __always_inline void tls_write_return(long ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct active_call *call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);
	__u32 len;

	if (!call || call->kind != CALL_WRITE || call->write_len == 0)
		return;
	len = call->write_len;
	call->write_len = 0;
	if (ret <= 0)
		return;
	if (ret != 1 && (__u64)ret < len)
		len = (__u32)ret;
	/* Unknown socket (its handshake was not seen): emitted without it, counted, never dropped. */
	emit_data(pid, call->ssl, call->library, DIRECTION_EGRESS, call->buf, len, lookup_conn(pid, call->ssl));
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
