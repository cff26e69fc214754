/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * OpenSSL / BoringSSL uprobes. Writes are complete at entry, so they are
 * entry-only (uretprobes are the expensive part); reads need the return.
 */
#ifndef PLAINTAP_TLS_OPENSSL_BPF_H
#define PLAINTAP_TLS_OPENSSL_BPF_H

static __always_inline void enter_call(__u64 ssl, __u8 library, __u8 kind, __u64 buf, __u64 len_ptr, __u32 pending_len)
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

static __always_inline void openssl_write(__u64 ssl, __u8 library, __u64 buf, __s64 num)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct conn_info *conn;

	if (!should_capture(pid) || num <= 0)
		return;
	conn = lookup_conn(pid, ssl);
	if (conn) {
		enter_call(ssl, library, CALL_WRITE, buf, 0, 0);
		emit_data(pid, ssl, library, DIRECTION_EGRESS, buf, (__u32)num, conn);
		return;
	}
	/* Socket unknown yet: the nested send emits it (learn_fd). */
	enter_call(ssl, library, CALL_WRITE, buf, 0, (__u32)num);
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
	openssl_write((__u64)ssl, probe_library(ctx), (__u64)buf, num);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_entry, void *ssl, const void *buf, size_t num)
{
	openssl_write((__u64)ssl, probe_library(ctx), (__u64)buf, (__s64)num);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_entry, void *ssl, void *buf)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (should_capture(pid))
		enter_call((__u64)ssl, probe_library(ctx), CALL_READ, (__u64)buf, 0, 0);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_entry, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (should_capture(pid))
		enter_call((__u64)ssl, probe_library(ctx), CALL_READ, (__u64)buf, (__u64)readbytes, 0);
	return 0;
}

/* Return of SSL_read / SSL_read_ex: emit what the call produced. */
static __always_inline void openssl_read_return(void *ctx, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	struct active_call *call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);
	__u64 ssl, buf;
	size_t len = 0;

	if (!call || call->kind != CALL_READ)
		return;
	ssl = call->ssl;
	buf = call->buf;
	if (call->len_ptr) {
		if (ret == 1)
			bpf_probe_read_user(&len, sizeof(len), (const void *)call->len_ptr);
	} else if (ret > 0) {
		len = ret;
	}
	call->kind = 0; /* the read is over: no stale marker for the next syscalls */
	if (len > 0) {
		emit_data(pid, ssl, call->library, DIRECTION_INGRESS, buf, (__u32)len, lookup_conn(pid, ssl));
		/* Data read: the handshake is done, even one made implicitly by SSL_read/SSL_write. */
		emit_secrets(ctx, pid, ssl);
	}
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_return, int ret)
{
	openssl_read_return(ctx, ret);
	return 0;
}

/* Handshake syscalls teach us the socket before the first write. */
SEC("uprobe")
int BPF_KPROBE(ssl_do_handshake_entry, void *ssl)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (should_capture(pid))
		enter_call((__u64)ssl, probe_library(ctx), CALL_HANDSHAKE, 0, 0, 0);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_set_fd_entry, void *ssl, int fd)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct ssl_key key = {.pid = pid, .ssl = (__u64)ssl};
	struct conn_info conn = {};
	int local_fd = fd;
	struct sock *sk;

	if (!should_capture(pid))
		return 0;
	sk = tcp_sock_from_fd(local_fd);
	if (!sk || !conn_from_sock(sk, local_fd, &conn))
		return 0;
	bpf_map_update_elem(&ssl_conns, &key, &conn, BPF_ANY);
	track_sock(conn.sock_id, pid);
	pcap_learn(&conn, pid);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_free_entry, void *ssl)
{
	struct ssl_key key = {.pid = bpf_get_current_pid_tgid() >> 32, .ssl = (__u64)ssl};

	bpf_map_delete_elem(&ssl_conns, &key);
	if (secrets_enabled)
		bpf_map_delete_elem(&secrets_sent, &key);
	return 0;
}

#endif /* PLAINTAP_TLS_OPENSSL_BPF_H */
