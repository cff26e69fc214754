/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one ABI between the kernel programs and user space.
 *
 * Every record starts with `struct record_header`; a data record's captured
 * payload follows the header directly and only header + captured bytes are
 * submitted. Fixed-width fields, explicit padding, enums append-only with
 * explicit values. Bump PLAINTAP_ABI_VERSION on any layout change; the
 * TypeScript layout in agent/capture/record-layout.ts is checked against
 * this file by test/unit/capture/record-layout.test.ts.
 */
#ifndef PLAINTAP_EVENTS_H
#define PLAINTAP_EVENTS_H

#define PLAINTAP_ABI_VERSION 1

/* Largest payload carried by one record; larger calls become several records. */
#define PLAINTAP_CHUNK_BYTES	  16384
/* Longest executable name carried by a process-exec record (longer ones are cut). */
#define PLAINTAP_EXEC_PATH_BYTES  256
/* Most records one SSL call may produce; bytes beyond are marked truncated. */
#define PLAINTAP_MAX_CHUNKS	  8
#define PLAINTAP_COMM_LEN	  16
#define PLAINTAP_MAX_COMM_FILTERS 8

enum record_type {
	RECORD_TYPE_DATA = 1,  /* plaintext of one TLS read or write (or a chunk of it) */
	RECORD_TYPE_CLOSE = 2, /* a tracked socket was closed or destroyed */
	/* a process called execve: user space looks for TLS files it maps (payload: the file name) */
	RECORD_TYPE_PROCESS_EXEC = 3,
	/* 4, 5: reserved for other capture sources */
	RECORD_TYPE_SHELL_COMMAND = 6, /* a line an interactive bash read (struct shell_command_record) */
	RECORD_TYPE_DB_QUERY = 7,      /* a statement a database server ran (struct db_query_record) */
};

enum direction {
	DIRECTION_EGRESS = 0,  /* the captured process wrote (sent) the bytes */
	DIRECTION_INGRESS = 1, /* the captured process read (received) the bytes */
};

enum tls_library {
	TLS_LIBRARY_OPENSSL = 1,
	TLS_LIBRARY_GO = 2, /* issue 11 */
	TLS_LIBRARY_GNUTLS = 3,
	TLS_LIBRARY_NSS = 4,
	TLS_LIBRARY_BORINGSSL = 5,
	TLS_LIBRARY_NODEJS = 6,
};

enum close_reason {
	CLOSE_REASON_NONE = 0,
	CLOSE_REASON_FD_CLOSED = 1,	 /* close(2) on the socket's fd */
	CLOSE_REASON_SOCK_DESTROYED = 2, /* TCP socket reached TCP_CLOSE */
};

/* record_header.flags */
#define RECORD_FLAG_TRUNCATED (1u << 0) /* bytes of this call were not captured */
#define RECORD_FLAG_NO_SOCKET (1u << 1) /* fd and tuple could not be resolved */

struct record_header {
	__u32 type;	    /* enum record_type */
	__u32 abi_version;  /* PLAINTAP_ABI_VERSION */
	__u64 timestamp_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 sock_id;	    /* kernel address of struct sock: the socket identity */
	__u64 ssl_ptr;	    /* user address of the SSL object, 0 when unknown */
	__u32 pid;	    /* tgid */
	__u32 tid;
	__u32 uid;
	__s32 fd;	    /* -1 when unknown */
	__u32 original_len; /* bytes the call read or wrote */
	__u32 captured_len; /* payload bytes following this header */
	__u32 chunk_offset; /* offset of this payload within the call's bytes */
	__u16 family;	    /* AF_INET, AF_INET6, 0 when unknown */
	__u16 local_port;   /* host byte order */
	__u16 remote_port;  /* host byte order */
	__u8 direction;	    /* enum direction */
	__u8 tls_library;   /* enum tls_library */
	__u8 close_reason;  /* enum close_reason (close records) */
	__u8 flags;	    /* RECORD_FLAG_* */
	__u8 _pad[2];
	__u8 local_addr[16]; /* IPv4 in the first 4 bytes, network order */
	__u8 remote_addr[16];
	char comm[PLAINTAP_COMM_LEN];
};

/* Longest shell line and query text kept; longer ones are marked truncated. */
#define PLAINTAP_SHELL_LINE_BYTES 4096
#define PLAINTAP_DB_QUERY_BYTES	  4096
#define PLAINTAP_TTY_LEN	  32
#define PLAINTAP_DB_SESSION_LEN	  128

/* shell_command_record.flags and db_query_record.flags */
#define SOURCE_FLAG_TRUNCATED	 (1u << 0) /* the line or query text is longer than what follows */
#define SOURCE_FLAG_STATUS_KNOWN (1u << 1) /* shell: exit_status is the command's */

/*
 * One command line readline returned in an interactive bash. Emitted when the
 * command finished (the outermost execute_command returned: exit_status known),
 * or without a status when the shell read the next line or ran `exit` first.
 * The line (captured_len bytes, no NUL) follows the record.
 */
struct shell_command_record {
	__u32 type;	    /* RECORD_TYPE_SHELL_COMMAND */
	__u32 abi_version;  /* PLAINTAP_ABI_VERSION */
	__u64 timestamp_ns; /* readline returned: CLOCK_MONOTONIC */
	__u64 end_ns;	    /* the command finished; 0 when unknown */
	__u32 pid;	    /* tgid of the shell */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__s32 exit_status; /* valid with SOURCE_FLAG_STATUS_KNOWN */
	__u32 _pad0;
	__u32 line_len;	    /* bytes of the line (before the cap) */
	__u32 captured_len; /* bytes following the record (same offset as in record_header) */
	__u8 flags;	    /* SOURCE_FLAG_* */
	__u8 _pad1[7];
	char comm[PLAINTAP_COMM_LEN];
	char tty[PLAINTAP_TTY_LEN]; /* the session's terminal (e.g. "pts3"), empty when none */
};

enum db_system {
	DB_SYSTEM_MYSQL = 1, /* MySQL / MariaDB (mysqld, mariadbd) */
	DB_SYSTEM_POSTGRESQL = 2,
};

enum db_status {
	DB_STATUS_OK = 1,
	DB_STATUS_ERROR = 2,
};

/*
 * One statement a database server ran, emitted when it finished. The query
 * text (captured_len bytes) follows the record.
 */
struct db_query_record {
	__u32 type;	   /* RECORD_TYPE_DB_QUERY */
	__u32 abi_version; /* PLAINTAP_ABI_VERSION */
	__u64 start_ns;	   /* CLOCK_MONOTONIC */
	__u64 end_ns;
	__u64 sock_id; /* the client's socket, 0 when unknown */
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 error_code;   /* MySQL: the error number; PostgreSQL: the SQLSTATE as packed by MAKE_SQLSTATE */
	__u32 query_len;    /* bytes of the query text (before the cap) */
	__u32 captured_len; /* bytes following the record (same offset as in record_header) */
	__u32 statement_id; /* MySQL COM_STMT_EXECUTE: the prepared statement's id */
	__u16 family;	    /* AF_INET, AF_INET6, 0 when unknown */
	__u16 local_port;   /* the server's, host byte order */
	__u16 remote_port;  /* the client's */
	__u8 db_system;	    /* enum db_system */
	__u8 command;	    /* MySQL: the COM_* command; 0 for PostgreSQL */
	__u8 status;	    /* enum db_status */
	__u8 flags;	    /* SOURCE_FLAG_* */
	char sqlstate[6];   /* MySQL: the SQLSTATE sent with an error, NUL-terminated */
	__u8 _pad[4];
	__u8 local_addr[16];
	__u8 remote_addr[16];
	char comm[PLAINTAP_COMM_LEN];
	/*
	 * Who runs the statement. MySQL: the current database. PostgreSQL: the backend's
	 * process title, `postgres: USER DATABASE HOST(PORT) …`. Empty when unknown.
	 */
	char session[PLAINTAP_DB_SESSION_LEN];
};

/* Indexes of the counters map (per-CPU array). Append only. */
enum counter_index {
	COUNTER_RINGBUF_LOST = 0,      /* ring buffer full: record dropped in the kernel */
	COUNTER_SOCKET_UNRESOLVED = 1, /* data record emitted without fd/tuple */
	COUNTER_SOURCE_STATE_LOST = 2, /* shell/db: per-thread state could not be created */
	COUNTER_MAX = 3,
};

#endif /* PLAINTAP_EVENTS_H */
