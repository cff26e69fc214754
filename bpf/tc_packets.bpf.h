/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packets of the captured processes' TCP connections, for the pcapng: a TC
 * classifier on clsact ingress and egress copies the frames of known flows.
 * A flow (its 4-tuple) becomes known when a captured process connects or
 * accepts (the syscall's return: port and peer are set), or when the TLS
 * probes learn an SSL object's socket. Packets before that (a client's SYN,
 * a server's handshake before accept(2) returns) are not taken.
 */
#ifndef PLAINTAP_TC_PACKETS_BPF_H
#define PLAINTAP_TC_PACKETS_BPF_H

#define TC_ACT_OK	0
#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define IPPROTO_TCP_NUM 6

/* Set by user space before load. */
const volatile bool pcap_enabled = false;
const volatile __u32 pcap_snaplen = PLAINTAP_MAX_SNAPLEN;

/* A flow as a packet carries it: source first. */
struct flow_key {
	__u8 src_addr[16];
	__u8 dst_addr[16];
	__u16 src_port;
	__u16 dst_port;
	__u16 family;
	__u16 _pad;
};

struct flow_owner {
	__u32 pid;
	__u32 _pad;
	char comm[PLAINTAP_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct flow_owner);
} pcap_flows SEC(".maps");

/* The fd a thread is connecting, from sys_enter_connect to its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __s32);
} pcap_connecting SEC(".maps");

/* One staging area per CPU (too large for a per-CPU map value); entries = CPUs, set by user space. */
struct packet_scratch {
	struct packet_record record;
	__u8 frame[PLAINTAP_MAX_SNAPLEN + 1];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct packet_scratch);
} packet_scratch SEC(".maps");

/* Remember conn's flow (as the captured process sends it) for the current process. */
static __always_inline void pcap_learn(const struct conn_info *conn, __u32 pid)
{
	struct flow_key key = {};
	struct flow_owner owner = {.pid = pid};

	if (!pcap_enabled)
		return;
	__builtin_memcpy(key.src_addr, conn->local_addr, sizeof(key.src_addr));
	__builtin_memcpy(key.dst_addr, conn->remote_addr, sizeof(key.dst_addr));
	key.src_port = conn->local_port;
	key.dst_port = conn->remote_port;
	key.family = conn->family;
	bpf_get_current_comm(owner.comm, sizeof(owner.comm));
	bpf_map_update_elem(&pcap_flows, &key, &owner, BPF_ANY);
}

static __always_inline void pcap_learn_fd(int fd)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct conn_info conn = {};
	struct sock *sk;

	if (!should_capture(pid))
		return;
	sk = tcp_sock_from_fd(fd);
	if (sk && conn_from_sock(sk, fd, &conn))
		pcap_learn(&conn, pid);
}

/* Tracepoint programs named pcap_* are loaded only with the pcapng (native/capture_session.cc). */
SEC("tracepoint/syscalls/sys_enter_connect")
int pcap_connect_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s32 fd = (__s32)ctx->args[0];

	if (pcap_enabled && should_capture(bpf_get_current_pid_tgid() >> 32))
		bpf_map_update_elem(&pcap_connecting, &tid, &fd, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int pcap_connect_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s32 *fd;

	if (!pcap_enabled)
		return 0;
	fd = bpf_map_lookup_elem(&pcap_connecting, &tid);
	if (!fd)
		return 0;
	/* A non-blocking connect returns -EINPROGRESS with its port chosen and its SYN sent. */
	pcap_learn_fd(*fd);
	bpf_map_delete_elem(&pcap_connecting, &tid);
	return 0;
}

static __always_inline void pcap_accept_exit(long ret)
{
	if (pcap_enabled && ret >= 0)
		pcap_learn_fd((int)ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int pcap_accept_exit_plain(struct trace_event_raw_sys_exit *ctx)
{
	pcap_accept_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int pcap_accept4_exit(struct trace_event_raw_sys_exit *ctx)
{
	pcap_accept_exit(ctx->ret);
	return 0;
}

/* The flow of an Ethernet frame carrying TCP; false for anything else. */
static __always_inline bool packet_flow(struct __sk_buff *skb, struct flow_key *key)
{
	__u16 proto = bpf_ntohs(skb->protocol);
	__u32 tcp_offset;
	__u8 byte;
	__u16 ports[2];

	if (proto == ETH_P_IP) {
		if (bpf_skb_load_bytes(skb, ETH_HLEN, &byte, 1))
			return false;
		tcp_offset = ETH_HLEN + (byte & 0x0f) * 4;
		if (bpf_skb_load_bytes(skb, ETH_HLEN + 9, &byte, 1) || byte != IPPROTO_TCP_NUM)
			return false;
		if (bpf_skb_load_bytes(skb, ETH_HLEN + 12, key->src_addr, 4) ||
		    bpf_skb_load_bytes(skb, ETH_HLEN + 16, key->dst_addr, 4))
			return false;
		key->family = AF_INET;
	} else if (proto == ETH_P_IPV6) {
		/* No extension headers: TCP right after the fixed header. */
		if (bpf_skb_load_bytes(skb, ETH_HLEN + 6, &byte, 1) || byte != IPPROTO_TCP_NUM)
			return false;
		if (bpf_skb_load_bytes(skb, ETH_HLEN + 8, key->src_addr, 16) ||
		    bpf_skb_load_bytes(skb, ETH_HLEN + 24, key->dst_addr, 16))
			return false;
		tcp_offset = ETH_HLEN + 40;
		key->family = AF_INET6;
	} else {
		return false;
	}
	if (bpf_skb_load_bytes(skb, tcp_offset, ports, sizeof(ports)))
		return false;
	key->src_port = bpf_ntohs(ports[0]);
	key->dst_port = bpf_ntohs(ports[1]);
	return true;
}

static __always_inline void swap_flow(const struct flow_key *in, struct flow_key *out)
{
	__builtin_memcpy(out->src_addr, in->dst_addr, sizeof(out->src_addr));
	__builtin_memcpy(out->dst_addr, in->src_addr, sizeof(out->dst_addr));
	out->src_port = in->dst_port;
	out->dst_port = in->src_port;
	out->family = in->family;
}

static __always_inline int take_packet(struct __sk_buff *skb, __u8 direction)
{
	struct flow_key key = {}, reverse = {};
	struct flow_owner *owner;
	struct packet_scratch *s;
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 len, cap;

	if (!pcap_enabled || !packet_flow(skb, &key))
		return TC_ACT_OK;
	owner = bpf_map_lookup_elem(&pcap_flows, &key);
	if (!owner) {
		swap_flow(&key, &reverse);
		owner = bpf_map_lookup_elem(&pcap_flows, &reverse);
	}
	if (!owner)
		return TC_ACT_OK;
	s = bpf_map_lookup_elem(&packet_scratch, &cpu);
	if (!s)
		return TC_ACT_OK;
	len = skb->len;
	cap = len < pcap_snaplen ? len : pcap_snaplen;
	/* Bounds the verifier can follow. */
	if (cap > PLAINTAP_MAX_SNAPLEN)
		cap = PLAINTAP_MAX_SNAPLEN;
	if (cap == 0)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 0, s->frame, cap))
		return TC_ACT_OK;
	__builtin_memset(&s->record, 0, sizeof(s->record));
	s->record.header.type = RECORD_TYPE_PACKET;
	s->record.header.abi_version = PLAINTAP_ABI_VERSION;
	s->record.header.timestamp_ns = bpf_ktime_get_ns();
	s->record.header.pid = owner->pid;
	s->record.header.fd = -1;
	s->record.header.original_len = len;
	s->record.header.captured_len = sizeof(struct packet_meta) + cap;
	s->record.header.family = key.family;
	s->record.header.direction = direction;
	__builtin_memcpy(s->record.header.comm, owner->comm, sizeof(s->record.header.comm));
	s->record.meta.ifindex = skb->ifindex;
	if (bpf_ringbuf_output(&events, s, sizeof(struct packet_record) + cap, 0) != 0)
		counter_add(COUNTER_PACKET_LOST, 1);
	return TC_ACT_OK;
}

SEC("tc")
int tc_ingress(struct __sk_buff *skb)
{
	return take_packet(skb, DIRECTION_INGRESS);
}

SEC("tc")
int tc_egress(struct __sk_buff *skb)
{
	return take_packet(skb, DIRECTION_EGRESS);
}

#endif /* PLAINTAP_TC_PACKETS_BPF_H */
