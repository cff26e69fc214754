/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Database statements, MySQL/MariaDB and PostgreSQL: the statement opens with
 * its text copied into task storage, the client's socket is learned from the
 * syscalls nested in it (db_learn_fd), and the record goes out when it ends.
 */
#ifndef PLAINTAP_DB_QUERY_BPF_H
#define PLAINTAP_DB_QUERY_BPF_H

#define MYSQL_COM_INIT_DB      2
#define MYSQL_COM_QUERY	       3
#define MYSQL_COM_STMT_PREPARE 22
#define MYSQL_COM_STMT_EXECUTE 23

static __always_inline struct db_state *db_state_create(void)
{
	struct db_state *st = bpf_task_storage_get(&db_states, current_task(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!st)
		counter_add(COUNTER_SOURCE_STATE_LOST, 1);
	return st;
}

static __always_inline struct db_state *db_state_get(void)
{
	return bpf_task_storage_get(&db_states, current_task(), 0, 0);
}

/* A new statement in st (its text is copied by the caller). The current database stays. */
static __always_inline void db_open(struct db_state *st, __u32 pid, __u8 system, __u8 command)
{
	__u64 id = bpf_get_current_pid_tgid();

	st->rec.type = RECORD_TYPE_DB_QUERY;
	st->rec.abi_version = PLAINTAP_ABI_VERSION;
	st->rec.start_ns = bpf_ktime_get_ns();
	st->rec.end_ns = 0;
	st->rec.sock_id = 0;
	st->rec.pid = pid;
	st->rec.tid = (__u32)id;
	st->rec.uid = (__u32)bpf_get_current_uid_gid();
	st->rec.error_code = 0;
	st->rec.query_len = 0;
	st->rec.captured_len = 0;
	st->rec.statement_id = 0;
	st->rec.family = 0;
	st->rec.local_port = 0;
	st->rec.remote_port = 0;
	st->rec.db_system = system;
	st->rec.command = command;
	st->rec.status = 0;
	st->rec.flags = 0;
	st->rec.sqlstate[0] = '\0';
	bpf_get_current_comm(st->rec.comm, sizeof(st->rec.comm));
	st->pending_code = 0;
	st->reported_code = 0;
	st->conn_known = 0;
	st->open = 1;
}

/*
 * PostgreSQL: the backend's process title (user, database, client) is in its argv area; a
 * backend serves one session for life, so it is read once, at its first statement.
 */
static __always_inline void pg_read_title(struct db_state *st)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	unsigned long arg_start;

	if (st->title_read)
		return;
	st->title_read = 1;
	arg_start = BPF_CORE_READ(task, mm, arg_start);
	if (!arg_start ||
	    bpf_probe_read_user_str(st->rec.session, sizeof(st->rec.session), (const void *)arg_start) < 0)
		st->rec.session[0] = '\0';
}

/* Copies a NUL-terminated query text (PostgreSQL). */
static __always_inline void db_copy_str(struct db_state *st, const char *text)
{
	long n = bpf_probe_read_user_str(st->text, sizeof(st->text), text);

	if (n < 1)
		n = 1;
	st->rec.captured_len = n - 1;
	st->rec.query_len = n - 1;
	st->rec.flags = n >= PLAINTAP_DB_QUERY_BYTES ? SOURCE_FLAG_TRUNCATED : 0;
}

static __always_inline void db_emit(struct db_state *st, __u8 status)
{
	__u64 n = st->rec.captured_len;

	if (n > PLAINTAP_DB_QUERY_BYTES)
		n = PLAINTAP_DB_QUERY_BYTES;
	st->rec.end_ns = bpf_ktime_get_ns();
	st->rec.status = status;
	st->open = 0;
	st->depth = 0;
	if (bpf_ringbuf_output(&events, &st->rec, sizeof(st->rec) + n, 0) != 0)
		counter_add(COUNTER_RINGBUF_LOST, 1);
}

/* ---- MySQL / MariaDB ---- */

/* bool dispatch_command(enum enum_server_command, THD *, char *packet, uint packet_length, bool) */
SEC("uprobe")
int BPF_KPROBE(mysql_dispatch_command_entry, int command, void *thd, const char *packet, __u32 length)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct db_state *st;
	__u64 n = length;

	if (!should_capture(pid))
		return 0;
	if (command != MYSQL_COM_QUERY && command != MYSQL_COM_STMT_PREPARE && command != MYSQL_COM_STMT_EXECUTE) {
		st = db_state_get();
		if (st && st->open)
			st->depth++;
		return 0;
	}
	st = db_state_create();
	if (!st)
		return 0;
	if (st->open) {
		st->depth++;
		return 0;
	}
	db_open(st, pid, DB_SYSTEM_MYSQL, (__u8)command);
	if (command == MYSQL_COM_STMT_EXECUTE) {
		/* The packet starts with the statement id; its parameters are binary. */
		bpf_probe_read_user(&st->rec.statement_id, sizeof(st->rec.statement_id), packet);
		return 0;
	}
	if (n > PLAINTAP_DB_QUERY_BYTES) {
		n = PLAINTAP_DB_QUERY_BYTES;
		st->rec.flags = SOURCE_FLAG_TRUNCATED;
	}
	st->rec.query_len = length;
	/* Keep the clamped copy in its own register: the verifier must see the bound. */
	barrier_var(n);
	if (n > PLAINTAP_DB_QUERY_BYTES)
		return 0;
	if (bpf_probe_read_user(st->text, n, packet) == 0)
		st->rec.captured_len = n;
	else
		st->rec.flags = SOURCE_FLAG_TRUNCATED;
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(mysql_dispatch_command_return)
{
	struct db_state *st = db_state_get();

	if (!st || !st->open)
		return 0;
	if (st->depth > 0) {
		st->depth--;
		return 0;
	}
	db_emit(st, st->rec.error_code != 0 ? DB_STATUS_ERROR : DB_STATUS_OK);
	return 0;
}

/*
 * Diagnostics_area::set_error_status(uint sql_errno, const char *message, const char *sqlstate, …):
 * the statement failed (an error caught by an internal handler never gets here). The first wins.
 */
SEC("uprobe")
int BPF_KPROBE(mysql_set_error_status_entry, void *da, __u32 sql_errno, const char *message, const char *sqlstate)
{
	struct db_state *st = db_state_get();

	if (!st || !st->open || st->rec.error_code != 0)
		return 0;
	st->rec.error_code = sql_errno;
	if (sqlstate && bpf_probe_read_user(st->rec.sqlstate, 5, sqlstate) == 0)
		st->rec.sqlstate[5] = '\0';
	else
		st->rec.sqlstate[0] = '\0';
	return 0;
}

/* Diagnostics_area::set_error_status(uint sql_errno): the same, the SQLSTATE derived by the server. */
SEC("uprobe")
int BPF_KPROBE(mysql_set_error_status_errno_entry, void *da, __u32 sql_errno)
{
	struct db_state *st = db_state_get();

	if (!st || !st->open || st->rec.error_code != 0)
		return 0;
	st->rec.error_code = sql_errno;
	st->rec.sqlstate[0] = '\0';
	return 0;
}

/* bool login_connection(THD *): a new session on this thread (threads are reused): no database yet. */
SEC("uprobe")
int BPF_KPROBE(mysql_login_connection_entry)
{
	struct db_state *st = db_state_get();

	if (st)
		st->rec.session[0] = '\0';
	return 0;
}

/* bool mysql_change_db(THD *, const LEX_CSTRING *new_db_name, bool force_switch): the current database */
SEC("uprobe")
int BPF_KPROBE(mysql_change_db_entry, void *thd, void *new_db_name)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct db_state *st;

	if (!should_capture(pid))
		return 0;
	st = db_state_create();
	if (st)
		st->change_db_arg = (__u64)new_db_name;
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(mysql_change_db_return, int failed)
{
	struct db_state *st = db_state_get();
	struct {
		const char *str;
		__u64 length;
	} name = {};

	if (!st || st->change_db_arg == 0)
		return 0;
	if ((failed & 0xff) == 0) {
		st->rec.session[0] = '\0';
		if (bpf_probe_read_user(&name, sizeof(name), (const void *)st->change_db_arg) == 0 && name.str)
			bpf_probe_read_user_str(st->rec.session, sizeof(st->rec.session), name.str);
	}
	st->change_db_arg = 0;
	return 0;
}

/* ---- PostgreSQL ---- */

/* List *pg_parse_query(const char *query_string): a simple query or a Parse message starts. */
SEC("uprobe")
int BPF_KPROBE(pg_parse_query_entry, const char *query)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct db_state *st;

	if (!should_capture(pid))
		return 0;
	st = db_state_create();
	/* Nested (an SQL function's body parsed while a statement runs): part of that statement. */
	if (!st || st->depth > 0)
		return 0;
	db_open(st, pid, DB_SYSTEM_POSTGRESQL, 0);
	pg_read_title(st);
	db_copy_str(st, query);
	return 0;
}

/* PortalDefineQuery(Portal, const char *prepStmtName, const char *sourceText, ...): the statement a portal runs. */
SEC("uprobe")
int BPF_KPROBE(pg_portal_define_query_entry, void *portal, const char *name, const char *source)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct db_state *st;

	if (!should_capture(pid))
		return 0;
	st = db_state_create();
	if (!st || st->depth > 0)
		return 0;
	/* Bind of a statement prepared earlier: it starts here. After a Parse: the same statement. */
	if (!st->open) {
		db_open(st, pid, DB_SYSTEM_POSTGRESQL, 0);
		pg_read_title(st);
	}
	db_copy_str(st, source);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(pg_portal_run_entry)
{
	struct db_state *st = db_state_get();

	if (st)
		st->depth++;
	return 0;
}

/* The outermost PortalRun returned: the statement ran (an error longjmps past this). */
SEC("uretprobe")
int BPF_KRETPROBE(pg_portal_run_return)
{
	struct db_state *st = db_state_get();

	if (!st || st->depth == 0)
		return 0;
	if (--st->depth > 0 || !st->open)
		return 0;
	db_emit(st, DB_STATUS_OK);
	return 0;
}

/* int errcode(int sqlerrcode): the code of the ereport being built. */
SEC("uprobe")
int BPF_KPROBE(pg_errcode_entry, int code)
{
	struct db_state *st = db_state_get();

	if (st && st->open)
		st->pending_code = code;
	return 0;
}

/* void EmitErrorReport(void): a report (of any level) is sent; keep its code. */
SEC("uprobe")
int BPF_KPROBE(pg_emit_error_report_entry)
{
	struct db_state *st = db_state_get();

	if (st && st->open) {
		st->reported_code = st->pending_code;
		st->pending_code = 0;
	}
	return 0;
}

/* void AbortCurrentTransaction(void): the main loop recovers from an ERROR: the statement failed. */
SEC("uprobe")
int BPF_KPROBE(pg_abort_current_transaction_entry)
{
	struct db_state *st = db_state_get();

	if (!st)
		return 0;
	if (st->open) {
		st->rec.error_code = st->reported_code;
		db_emit(st, DB_STATUS_ERROR);
	}
	st->depth = 0;
	return 0;
}

/* void ReadyForQuery(CommandDest): idle again. A statement parsed but never executed is dropped. */
SEC("uprobe")
int BPF_KPROBE(pg_ready_for_query_entry)
{
	struct db_state *st = db_state_get();

	if (st) {
		st->open = 0;
		st->depth = 0;
	}
	return 0;
}

#endif /* PLAINTAP_DB_QUERY_BPF_H */
