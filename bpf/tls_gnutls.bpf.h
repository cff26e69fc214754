/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GnuTLS uprobes (libgnutls.so.30): the session is the connection's key, and
 * GnuTLS's default transport does the socket syscalls inside the record
 * calls, so fd and tuple are learned as for OpenSSL.
 */
#ifndef PLAINTAP_TLS_GNUTLS_BPF_H
#define PLAINTAP_TLS_GNUTLS_BPF_H

/* ssize_t gnutls_record_send(gnutls_session_t session, const void *data, size_t data_size) */
SEC("uprobe")
int BPF_KPROBE(gnutls_record_send_entry, void *session, const void *data, size_t size)
{
	tls_write((__u64)session, probe_library(ctx), (__u64)data, (__s64)size);
	return 0;
}

/* ssize_t gnutls_record_recv(gnutls_session_t session, void *data, size_t data_size) */
SEC("uprobe")
int BPF_KPROBE(gnutls_record_recv_entry, void *session, void *data)
{
	tls_read_enter((__u64)session, probe_library(ctx), (__u64)data, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(gnutls_record_recv_return, long ret)
{
	tls_read_return(ctx, ret);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(gnutls_handshake_entry, void *session)
{
	tls_handshake_enter((__u64)session, probe_library(ctx));
	return 0;
}

/* void gnutls_transport_set_int2(gnutls_session_t session, int recv_fd, int send_fd) */
SEC("uprobe")
int BPF_KPROBE(gnutls_transport_set_int2_entry, void *session, int recv_fd)
{
	tls_set_fd((__u64)session, recv_fd);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(gnutls_deinit_entry, void *session)
{
	tls_free((__u64)session);
	return 0;
}

#endif /* PLAINTAP_TLS_GNUTLS_BPF_H */
