/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The one ABI between the kernel programs and user space.
 *
 * Every record starts with `struct record_header`; a data record's captured
 * payload follows the header directly and only header + captured bytes are
 * submitted. Fixed-width fields, explicit padding, enums append-only with
 * explicit values. Bump PLAINTAP_ABI_VERSION on any layout change.
 *
 * The TypeScript side (agent/capture/events-abi.generated.ts: every define,
 * enum, struct size and field offset below) is generated from this file by
 * scripts/generate-abi.js (`npm run generate:abi`); `npm run lint` fails when
 * it is stale. Keep to what that script parses: `#define NAME value`,
 * `enum tag { NAME = value, };`, `struct tag { type field; type field[N]; };`
 * with one field per declaration.
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
/* User space hands records over in batches, each record starting 8-byte aligned. */
#define PLAINTAP_RECORD_ALIGN	  8

enum record_type {
	RECORD_TYPE_DATA = 1,  /* plaintext of one TLS read or write (or a chunk of it) */
	RECORD_TYPE_CLOSE = 2, /* a tracked socket was closed or destroyed */
	/* a process called execve: user space looks for TLS files it maps (payload: the file name) */
	RECORD_TYPE_PROCESS_EXEC = 3,
	RECORD_TYPE_TLS_SECRET = 4,    /* struct tls_secret_record: one session's TLS secrets */
	RECORD_TYPE_PACKET = 5,	       /* struct packet_record: one packet taken by the TC classifier */
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

/*
 * RECORD_TYPE_TLS_SECRET: what the library holds once a handshake is done, read
 * from its SSL object. header.captured_len = sizeof(struct tls_secrets); the
 * header's process, socket and tuple fields are filled like a data record's.
 * TLS 1.3 handshake traffic secrets are derived in user space from
 * handshake_secret and handshake_traffic_hash (RFC 8446 7.1).
 */
#define PLAINTAP_RANDOM_BYTES	  32
#define PLAINTAP_MASTER_KEY_BYTES 48
#define PLAINTAP_MAX_MD_BYTES	  64

struct tls_secrets {
	__u32 version;	      /* protocol version: 0x0301..0x0304 */
	__u32 cipher_id;      /* OpenSSL cipher id: 0x03000000 | IANA suite */
	__u32 master_key_len; /* TLS <= 1.2: bytes of master_key in use */
	__u32 _pad;
	__u8 client_random[PLAINTAP_RANDOM_BYTES];
	__u8 master_key[PLAINTAP_MASTER_KEY_BYTES];	       /* TLS <= 1.2 */
	__u8 handshake_secret[PLAINTAP_MAX_MD_BYTES];	       /* TLS 1.3 from here on */
	__u8 handshake_traffic_hash[PLAINTAP_MAX_MD_BYTES];    /* transcript hash ClientHello..ServerHello */
	__u8 client_app_traffic_secret[PLAINTAP_MAX_MD_BYTES]; /* CLIENT_TRAFFIC_SECRET_0 */
	__u8 server_app_traffic_secret[PLAINTAP_MAX_MD_BYTES]; /* SERVER_TRAFFIC_SECRET_0 */
	__u8 exporter_master_secret[PLAINTAP_MAX_MD_BYTES];    /* EXPORTER_SECRET */
};

struct tls_secret_record {
	struct record_header header;
	struct tls_secrets secrets;
};

/*
 * RECORD_TYPE_PACKET: header.captured_len = sizeof(struct packet_meta) + frame
 * bytes captured; header.original_len = the frame's length on the wire. pid and
 * comm are the captured process the packet's connection belongs to; direction
 * is the packet's direction on the interface.
 */
#define PLAINTAP_MAX_SNAPLEN 65535

struct packet_meta {
	__u32 ifindex;
	__u32 _pad;
};

struct packet_record {
	struct record_header header;
	struct packet_meta meta;
	/* the frame follows, from its link-layer header on */
};

/*
 * Where one OpenSSL build keeps the fields of struct tls_secrets: byte offsets
 * into its SSL object (ssl_*), its SSL_SESSION (session_*) and its SSL_CIPHER
 * (cipher_*). User space fills one entry of the openssl_layouts map per known
 * layout; bits 8..15 of a probe's attach cookie are the entry's index (0 = none
 * known), bits 0..7 its enum tls_library.
 */
#define PLAINTAP_MAX_OPENSSL_LAYOUTS 8

struct openssl_layout {
	__u32 ssl_version;
	__u32 ssl_session;
	__u32 ssl_client_random;
	__u32 ssl_handshake_secret;
	__u32 ssl_handshake_traffic_hash;
	__u32 ssl_client_app_traffic_secret;
	__u32 ssl_server_app_traffic_secret;
	__u32 ssl_exporter_master_secret;
	__u32 session_master_key_length;
	__u32 session_master_key;
	__u32 session_cipher;
	__u32 cipher_id;
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
	COUNTER_SECRET_LOST = 2,       /* ring buffer full: a TLS secret record dropped */
	COUNTER_SECRET_LAYOUT = 3,     /* an SSL object did not look like the expected layout: nothing read */
	COUNTER_PACKET_LOST = 4,       /* ring buffer full: a packet dropped in the kernel */
	COUNTER_GO_READ_UNMATCHED = 5, /* a Go Read returned with no entry recorded (entry lost or evicted) */
	COUNTER_SOURCE_STATE_LOST = 6, /* shell/db: per-thread state could not be created */
	COUNTER_MAX = 7,
};

#endif /* PLAINTAP_EVENTS_H */
