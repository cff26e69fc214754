/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Socket identity without struct offsets: fd → task->files->fdt->fd[fd]
 * → file->private_data (struct socket) → sk, then the tuple from sock_common
 * (CO-RE relocated). Plus the close/destroy lifecycle of tracked sockets.
 */
#ifndef PLAINTAP_SOCK_BPF_H
#define PLAINTAP_SOCK_BPF_H

#define S_IFMT	  00170000
#define S_IFSOCK  0140000
#define TCP_CLOSE 7

/* The TCP socket behind the current task's fd, or NULL. */
static __always_inline struct sock *tcp_sock_from_fd(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;
	struct socket *socket;
	struct sock *sk;
	unsigned int max_fds;
	umode_t mode;

	if (!fdt || fd < 0)
		return NULL;
	max_fds = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned int)fd >= max_fds)
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return NULL;
	/* Only sockets: a stale marker must not learn a log file's fd. */
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	socket = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(socket, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	return sk;
}

/* Fill conn with sk's identity and tuple; false for non-IP families. */
static __always_inline bool conn_from_sock(struct sock *sk, int fd, struct conn_info *conn)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	/* Explicit sizes: the address arrays are wider than an IPv4 field. */
	if (family == AF_INET) {
		bpf_core_read(conn->local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(conn->remote_addr, 4, &sk->__sk_common.skc_daddr);
	} else if (family == AF_INET6) {
		bpf_core_read(conn->local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(conn->remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		return false;
	}
	conn->sock_id = (__u64)sk;
	conn->fd = fd;
	conn->family = family;
	conn->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	conn->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return true;
}

static __always_inline void track_sock(__u64 sock_id, __u32 pid)
{
	__u8 one = 1;

	bpf_map_update_elem(&tracked_socks, &sock_id, &pid, BPF_ANY);
	bpf_map_update_elem(&tracked_pids, &pid, &one, BPF_ANY);
}

static __always_inline void emit_close(__u64 sock_id, __u32 pid, int fd, __u8 reason)
{
	struct record_header *rec;

	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		counter_add(COUNTER_RINGBUF_LOST, 1);
		return;
	}
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->type = RECORD_TYPE_CLOSE;
	rec->abi_version = PLAINTAP_ABI_VERSION;
	rec->timestamp_ns = bpf_ktime_get_ns();
	rec->sock_id = sock_id;
	rec->pid = pid;
	rec->fd = fd;
	rec->close_reason = reason;
	bpf_ringbuf_submit(rec, 0);
}

SEC("tracepoint/syscalls/sys_enter_close")
int handle_close(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	int fd = (int)ctx->args[0];
	struct sock *sk;
	__u64 sock_id;

	if (!bpf_map_lookup_elem(&tracked_pids, &pid))
		return 0;
	sk = tcp_sock_from_fd(fd);
	if (!sk)
		return 0;
	sock_id = (__u64)sk;
	if (!bpf_map_lookup_elem(&tracked_socks, &sock_id))
		return 0;
	bpf_map_delete_elem(&tracked_socks, &sock_id);
	bpf_map_delete_elem(&sock_owner, &sock_id);
	emit_close(sock_id, pid, fd, CLOSE_REASON_FD_CLOSED);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int handle_sock_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sock_id = (__u64)ctx->skaddr;
	__u32 *pid;

	if (ctx->newstate != TCP_CLOSE || ctx->protocol != IPPROTO_TCP)
		return 0;
	pid = bpf_map_lookup_elem(&tracked_socks, &sock_id);
	if (!pid)
		return 0;
	emit_close(sock_id, *pid, -1, CLOSE_REASON_SOCK_DESTROYED);
	bpf_map_delete_elem(&tracked_socks, &sock_id);
	bpf_map_delete_elem(&sock_owner, &sock_id);
	return 0;
}

#endif /* PLAINTAP_SOCK_BPF_H */
