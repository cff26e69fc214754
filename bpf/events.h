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

/* Indexes of the counters map (per-CPU array). Append only. */
enum counter_index {
	COUNTER_RINGBUF_LOST = 0,      /* ring buffer full: record dropped in the kernel */
	COUNTER_SOCKET_UNRESOLVED = 1, /* data record emitted without fd/tuple */
	COUNTER_GO_READ_UNMATCHED = 2, /* a Go Read returned with no entry recorded (entry lost or evicted) */
	COUNTER_MAX = 3,
};

#endif /* PLAINTAP_EVENTS_H */
