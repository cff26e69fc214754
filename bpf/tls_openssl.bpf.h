/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * OpenSSL / BoringSSL uprobes (libssl, or the library inside an executable
 * such as node). Writes are complete at entry, so they are entry-only
 * (uretprobes are the expensive part); reads need the return.
 */
#ifndef PLAINTAP_TLS_OPENSSL_BPF_H
#define PLAINTAP_TLS_OPENSSL_BPF_H

SEC("uprobe")
int BPF_KPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
	tls_write((__u64)ssl, probe_library(ctx), (__u64)buf, num);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_entry, void *ssl, const void *buf, size_t num)
{
	tls_write((__u64)ssl, probe_library(ctx), (__u64)buf, (__s64)num);
	return 0;
}

/* Return of SSL_write / SSL_write_ex: attached for memory-BIO libraries (Node.js) only. */
SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_return, int ret)
{
	tls_write_return(ret);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_entry, void *ssl, void *buf)
{
	tls_read_enter((__u64)ssl, probe_library(ctx), (__u64)buf, 0);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_entry, void *ssl, void *buf, size_t num, size_t *readbytes)
{
	tls_read_enter((__u64)ssl, probe_library(ctx), (__u64)buf, (__u64)readbytes);
	return 0;
}

/* Return of SSL_read (bytes) and SSL_read_ex (1, count in *readbytes). */
SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_return, int ret)
{
	tls_read_return(ctx, ret);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_do_handshake_entry, void *ssl)
{
	tls_handshake_enter((__u64)ssl, probe_library(ctx));
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_set_fd_entry, void *ssl, int fd)
{
	tls_set_fd((__u64)ssl, fd);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_free_entry, void *ssl)
{
	tls_free((__u64)ssl);
	return 0;
}

#endif /* PLAINTAP_TLS_OPENSSL_BPF_H */
