/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go crypto/tls: uprobes on (*Conn).Write at entry (the plaintext is there) and
 * on (*Conn).Read at entry plus on each of its RET instructions (user space
 * decodes the function to find them): a uretprobe rewrites the return address
 * on the stack, which Go moves. Go's register ABI (1.17+, amd64): receiver in
 * RAX, b.ptr in RBX, b.len in RCX, the result n in RAX at return, the running
 * goroutine g in R14. A goroutine may change thread between entry and return,
 * so a Read in flight is keyed by (pid, g), not by thread.
 *
 * The fd comes from the tls.Conn itself (conn net.Conn → *net.TCPConn →
 * *netFD → pfd.Sysfd); the offsets for the executable's Go version arrive as
 * the attach cookie (these programs serve Go only, so the cookie does not carry
 * the library as for the other uprobes), then the shared socket walk applies.
 */
#ifndef PLAINTAP_TLS_GO_BPF_H
#define PLAINTAP_TLS_GO_BPF_H

#if defined(__TARGET_ARCH_x86)

/* Attach cookie: three 16-bit struct offsets (see agent/capture/targets/go-struct-offsets.ts). */
#define GO_COOKIE_CONN_DATA(c) ((c)&0xffff)	      /* tls.Conn → data word of its net.Conn */
#define GO_COOKIE_NETFD(c)     (((c) >> 16) & 0xffff) /* *net.TCPConn → its *netFD */
#define GO_COOKIE_SYSFD(c)     (((c) >> 32) & 0xffff) /* netFD → pfd.Sysfd */

struct go_call_key {
	__u32 pid;
	__u32 _pad;
	__u64 g;
};

struct go_read_call {
	__u64 conn;
	__u64 buf;
};

/* Reads in flight, by goroutine. LRU: a goroutine killed inside Read leaves no entry forever. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct go_call_key);
	__type(value, struct go_read_call);
} go_reads SEC(".maps");

/* The socket behind a *tls.Conn, through the struct offsets in the cookie. */
static __always_inline bool go_conn_info(__u64 tls_conn, __u64 cookie, struct conn_info *conn)
{
	__u64 data = 0, netfd = 0;
	__s64 sysfd = -1;
	struct sock *sk;
	int fd;

	if (bpf_probe_read_user(&data, sizeof(data), (const void *)(tls_conn + GO_COOKIE_CONN_DATA(cookie))) || !data)
		return false;
	if (bpf_probe_read_user(&netfd, sizeof(netfd), (const void *)(data + GO_COOKIE_NETFD(cookie))) || !netfd)
		return false;
	if (bpf_probe_read_user(&sysfd, sizeof(sysfd), (const void *)(netfd + GO_COOKIE_SYSFD(cookie))))
		return false;
	if (sysfd < 0 || sysfd > 0x7fffffff)
		return false;
	fd = (int)sysfd;
	/* Only a TCP socket of this process passes: a net.Conn that is not a TCPConn resolves to nothing. */
	sk = tcp_sock_from_fd(fd);
	if (!sk || !conn_from_sock(sk, fd, conn))
		return false;
	if (!bpf_map_lookup_elem(&tracked_socks, &conn->sock_id))
		track_sock(conn->sock_id, bpf_get_current_pid_tgid() >> 32);
	return true;
}

static __always_inline void go_emit(struct pt_regs *ctx, __u32 pid, __u64 tls_conn, __u8 direction, __u64 buf,
				    __u32 len)
{
	struct conn_info conn = {};
	bool resolved = go_conn_info(tls_conn, bpf_get_attach_cookie(ctx), &conn);

	emit_data(pid, tls_conn, TLS_LIBRARY_GO, direction, buf, len, resolved ? &conn : NULL);
}

SEC("uprobe")
int go_tls_write_entry(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__s64 len = (__s64)ctx->cx;

	if (!should_capture(pid) || len <= 0)
		return 0;
	go_emit(ctx, pid, ctx->ax, DIRECTION_EGRESS, ctx->bx, len > 0xffffffffll ? 0xffffffffu : (__u32)len);
	return 0;
}

SEC("uprobe")
int go_tls_read_entry(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct go_call_key key = {.pid = pid, .g = ctx->r14};
	struct go_read_call call = {.conn = ctx->ax, .buf = ctx->bx};

	if (!should_capture(pid))
		return 0;
	bpf_map_update_elem(&go_reads, &key, &call, BPF_ANY);
	return 0;
}

/* On a RET of (*Conn).Read: RAX holds n. */
SEC("uprobe")
int go_tls_read_return(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct go_call_key key = {.pid = pid, .g = ctx->r14};
	struct go_read_call *found = bpf_map_lookup_elem(&go_reads, &key);
	struct go_read_call call;
	__s64 n = (__s64)ctx->ax;

	if (!found) {
		if (should_capture(pid))
			counter_add(COUNTER_GO_READ_UNMATCHED, 1);
		return 0;
	}
	call = *found;
	bpf_map_delete_elem(&go_reads, &key);
	if (n <= 0)
		return 0;
	go_emit(ctx, pid, call.conn, DIRECTION_INGRESS, call.buf, n > 0xffffffffll ? 0xffffffffu : (__u32)n);
	return 0;
}

#endif /* __TARGET_ARCH_x86 */

#endif /* PLAINTAP_TLS_GO_BPF_H */
