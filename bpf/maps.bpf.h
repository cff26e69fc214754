/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Maps shared by every probe. Kernel-only: included by plaintap.bpf.c. */
#ifndef PLAINTAP_MAPS_BPF_H
#define PLAINTAP_MAPS_BPF_H

/* What we learned about the connection behind one SSL object. */
struct conn_info {
	__u64 sock_id;
	__s32 fd;
	__u16 family;
	__u16 local_port;
	__u16 remote_port;
	__u8 _pad[6];
	__u8 local_addr[16];
	__u8 remote_addr[16];
};

struct ssl_key {
	__u32 pid;
	__u32 _pad;
	__u64 ssl;
};

enum call_kind {
	CALL_HANDSHAKE = 1,
	CALL_READ = 2,
	CALL_WRITE = 3,
};

/* The TLS call a thread is inside of (or last entered, for entry-only hooks); kind 0 = none. */
struct active_call {
	__u64 ssl;
	__u64 buf;
	__u64 len_ptr;	   /* size_t * of the _ex variants, 0 otherwise */
	__u32 pending_len; /* a write not yet emitted because its socket was unknown */
	/* Memory-BIO libraries: 1 + the fd this thread last called read*() on, 0 = none. */
	__u32 read_fd_slot;
	__u8 kind;	 /* enum call_kind */
	__u8 library;	 /* enum tls_library of the probed file */
	__u16 iov_count; /* a gathering write (NSS PR_Writev): buf holds this many { base, len } entries */
	__u32 write_len; /* memory-BIO libraries: bytes of the write in progress (emitted at its return) */
};

/* Most entries of one gathering write (PR_Writev) captured; bytes of later ones are not. */
#define PLAINTAP_MAX_IOVECS 8

/* Staging area for one record: header + the largest payload chunk. */
struct record_scratch {
	struct record_header header;
	__u8 payload[PLAINTAP_CHUNK_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024); /* resized by user space before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record_scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, struct conn_info);
} ssl_conns SEC(".maps");

/* Per-thread task storage: no hashing on the hot path, freed with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct active_call);
} active_calls SEC(".maps");

/* Memory-BIO libraries: the SSL object a socket was learned for (one socket never serves two). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} sock_owner SEC(".maps");

/* Sockets we emitted data for: their close or destruction is reported. Value: pid. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u32);
} tracked_socks SEC(".maps");

/* Processes owning a tracked socket: lets close(2) of everyone else return at once. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} tracked_pids SEC(".maps");

/* --pid filter (user space fills it before attaching). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} pid_filter SEC(".maps");

/*
 * --cgroup filter: cgroup v2 ids (the inode of the directory in the unified
 * hierarchy) whose processes, descendants included, are captured.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} cgroup_filter SEC(".maps");

static __always_inline void counter_add(__u32 index, __u64 value)
{
	__u64 *slot = bpf_map_lookup_elem(&counters, &index);

	if (slot)
		*slot += value;
}

#endif /* PLAINTAP_MAPS_BPF_H */
