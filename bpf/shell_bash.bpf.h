/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interactive bash: the line readline returns (uretprobe), paired with the
 * command's exit status. The line is held in task storage until the outermost
 * execute_command returns (its return value is the status), and emitted
 * without a status when the shell reads another line or runs `exit` first.
 */
#ifndef PLAINTAP_SHELL_BASH_BPF_H
#define PLAINTAP_SHELL_BASH_BPF_H

static __always_inline void shell_emit(struct shell_state *st)
{
	__u64 n = st->rec.captured_len;

	if (n > PLAINTAP_SHELL_LINE_BYTES)
		n = PLAINTAP_SHELL_LINE_BYTES;
	st->pending = 0;
	st->depth = 0;
	if (bpf_ringbuf_output(&events, &st->rec, sizeof(st->rec) + n, 0) != 0)
		counter_add(COUNTER_RINGBUF_LOST, 1);
}

SEC("uretprobe")
int BPF_KRETPROBE(bash_readline_return, const char *line)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;
	struct shell_state *st;
	struct tty_struct *tty;
	long n;

	if (!line || !should_capture(pid))
		return 0;
	/* Cookie 1: a shared libreadline, used by psql, python and others too: bash only. */
	if (bpf_get_attach_cookie(ctx) == 1) {
		char comm[PLAINTAP_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (comm[0] != 'b' || comm[1] != 'a' || comm[2] != 's' || comm[3] != 'h' || comm[4] != '\0')
			return 0;
	}
	st = bpf_task_storage_get(&shell_states, current_task(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		counter_add(COUNTER_SOURCE_STATE_LOST, 1);
		return 0;
	}
	/* The previous line never reached execute_command (a continuation, a syntax error). */
	if (st->pending)
		shell_emit(st);
	n = bpf_probe_read_user_str(st->line, sizeof(st->line), line);
	if (n <= 1) /* empty line, or unreadable */
		return 0;
	st->rec.type = RECORD_TYPE_SHELL_COMMAND;
	st->rec.abi_version = PLAINTAP_ABI_VERSION;
	st->rec.timestamp_ns = bpf_ktime_get_ns();
	st->rec.end_ns = 0;
	st->rec.pid = pid;
	st->rec.tid = (__u32)id;
	st->rec.ppid = BPF_CORE_READ(task, real_parent, tgid);
	st->rec.uid = (__u32)bpf_get_current_uid_gid();
	st->rec.exit_status = 0;
	st->rec.captured_len = n - 1;
	st->rec.line_len = n - 1;
	/* A full buffer means the line may go on: its length is unknown. */
	st->rec.flags = n >= PLAINTAP_SHELL_LINE_BYTES ? SOURCE_FLAG_TRUNCATED : 0;
	bpf_get_current_comm(st->rec.comm, sizeof(st->rec.comm));
	st->rec.tty[0] = '\0';
	tty = BPF_CORE_READ(task, signal, tty);
	if (tty)
		BPF_CORE_READ_STR_INTO(&st->rec.tty, tty, name);
	st->depth = 0;
	st->pending = 1;
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(bash_execute_command_entry)
{
	struct shell_state *st = bpf_task_storage_get(&shell_states, current_task(), 0, 0);

	if (st && st->pending)
		st->depth++;
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(bash_execute_command_return, int status)
{
	struct shell_state *st = bpf_task_storage_get(&shell_states, current_task(), 0, 0);

	if (!st || !st->pending || st->depth == 0)
		return 0;
	if (--st->depth > 0)
		return 0;
	st->rec.end_ns = bpf_ktime_get_ns();
	st->rec.exit_status = status;
	st->rec.flags |= SOURCE_FLAG_STATUS_KNOWN;
	shell_emit(st);
	return 0;
}

/* `exit` never returns from execute_command: report the line now. */
SEC("uprobe")
int BPF_KPROBE(bash_exit_builtin_entry)
{
	struct shell_state *st = bpf_task_storage_get(&shell_states, current_task(), 0, 0);

	if (st && st->pending)
		shell_emit(st);
	return 0;
}

#endif /* PLAINTAP_SHELL_BASH_BPF_H */
