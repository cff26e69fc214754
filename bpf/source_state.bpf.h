/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-thread state of the non-stream sources (shell commands, database
 * queries): the record being built lives in task storage from its first hook
 * to the one that emits it, with its text right behind it so that one
 * bpf_ringbuf_output sends both.
 */
#ifndef PLAINTAP_SOURCE_STATE_BPF_H
#define PLAINTAP_SOURCE_STATE_BPF_H

struct shell_state {
	struct shell_command_record rec;
	__u8 line[PLAINTAP_SHELL_LINE_BYTES];
	__u32 depth;  /* execute_command calls in progress for the pending line */
	__u8 pending; /* rec holds a line not emitted yet */
	__u8 _pad[3];
};

struct db_state {
	struct db_query_record rec;
	__u8 text[PLAINTAP_DB_QUERY_BYTES];
	__u64 change_db_arg; /* MySQL: the LEX_CSTRING * of a mysql_change_db in progress */
	__u32 depth;	     /* nested calls of the statement hook (PortalRun, dispatch_command) */
	__u32 pending_code;  /* PostgreSQL: the code of the ereport being built */
	__u32 reported_code; /* PostgreSQL: the code of the last report sent (EmitErrorReport) */
	__u8 open;	     /* a statement is in flight */
	__u8 conn_known;     /* rec holds the client's socket */
	__u8 title_read;     /* PostgreSQL: rec.session holds the process title */
	__u8 _pad[1];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct shell_state);
} shell_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct db_state);
} db_states SEC(".maps");

static __always_inline struct task_struct *current_task(void)
{
	return bpf_get_current_task_btf();
}

/* A nested syscall of a statement in flight: learn the client's socket from its fd. */
static __always_inline void db_learn_fd(int fd)
{
	struct db_state *st = bpf_task_storage_get(&db_states, current_task(), 0, 0);
	struct conn_info conn = {};
	struct sock *sk;

	if (!st || !st->open || st->conn_known)
		return;
	sk = tcp_sock_from_fd(fd);
	if (!sk || !conn_from_sock(sk, fd, &conn))
		return;
	st->rec.sock_id = conn.sock_id;
	st->rec.family = conn.family;
	st->rec.local_port = conn.local_port;
	st->rec.remote_port = conn.remote_port;
	__builtin_memcpy(st->rec.local_addr, conn.local_addr, sizeof(conn.local_addr));
	__builtin_memcpy(st->rec.remote_addr, conn.remote_addr, sizeof(conn.remote_addr));
	st->conn_known = 1;
}

#endif /* PLAINTAP_SOURCE_STATE_BPF_H */
