/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS secrets of OpenSSL sessions, for key log files and pcapng Decryption
 * Secrets Blocks. OpenSSL keeps them in its SSL object; where depends on the
 * build, so user space gives the offsets (struct openssl_layout) and bits 8..15
 * of the probe's attach cookie say which entry applies (bits 0..7: the library). Read once the handshake is done: the
 * return of SSL_do_handshake (SSL_connect and SSL_accept go through it), and
 * the first SSL_read that returns data (a handshake done implicitly).
 */
#ifndef PLAINTAP_TLS_SECRETS_BPF_H
#define PLAINTAP_TLS_SECRETS_BPF_H

#define TLS1_VERSION   0x0301
#define TLS1_3_VERSION 0x0304

/* Set by user space before load: nothing is read unless a key log or pcapng is wanted. */
const volatile bool secrets_enabled = false;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PLAINTAP_MAX_OPENSSL_LAYOUTS);
	__type(key, __u32);
	__type(value, struct openssl_layout);
} openssl_layouts SEC(".maps");

/* The client random whose secrets were sent last for an SSL object (its first 8 bytes). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, __u64);
} secrets_sent SEC(".maps");

static __always_inline __u64 read_user_u64(__u64 address)
{
	__u64 value = 0;

	bpf_probe_read_user(&value, sizeof(value), (const void *)address);
	return value;
}

static __always_inline __u32 read_user_u32(__u64 address)
{
	__u32 value = 0;

	bpf_probe_read_user(&value, sizeof(value), (const void *)address);
	return value;
}

static __always_inline void emit_secrets(void *ctx, __u32 pid, __u64 ssl)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 index = (__u32)(cookie >> 8) & 0xff;
	struct ssl_key key = {.pid = pid, .ssl = ssl};
	struct openssl_layout *layout;
	struct tls_secret_record *rec;
	struct tls_secrets *s;
	struct conn_info *conn;
	__u64 random_head = 0, *sent, session, cipher;
	__u32 version, cipher_id;

	if (!secrets_enabled || index == 0)
		return;
	layout = bpf_map_lookup_elem(&openssl_layouts, &index);
	if (!layout)
		return;
	/* A wrong layout must not produce garbage lines: the version field is checked first. */
	version = read_user_u32(ssl + layout->ssl_version);
	if (version < TLS1_VERSION || version > TLS1_3_VERSION) {
		counter_add(COUNTER_SECRET_LAYOUT, 1);
		return;
	}
	bpf_probe_read_user(&random_head, sizeof(random_head), (const void *)(ssl + layout->ssl_client_random));
	sent = bpf_map_lookup_elem(&secrets_sent, &key);
	if (random_head == 0 || (sent && *sent == random_head))
		return;
	session = read_user_u64(ssl + layout->ssl_session);
	if (!session)
		return;
	/* The cipher id checks the session and cipher offsets: OpenSSL's ids are 0x0300xxxx. */
	cipher = read_user_u64(session + layout->session_cipher);
	cipher_id = cipher ? read_user_u32(cipher + layout->cipher_id) : 0;
	if ((cipher_id & 0xffff0000) != 0x03000000) {
		counter_add(COUNTER_SECRET_LAYOUT, 1);
		return;
	}

	rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec) {
		counter_add(COUNTER_SECRET_LOST, 1);
		return;
	}
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->header.type = RECORD_TYPE_TLS_SECRET;
	rec->header.abi_version = PLAINTAP_ABI_VERSION;
	rec->header.timestamp_ns = bpf_ktime_get_ns();
	rec->header.ssl_ptr = ssl;
	rec->header.pid = pid;
	rec->header.tid = (__u32)bpf_get_current_pid_tgid();
	rec->header.uid = (__u32)bpf_get_current_uid_gid();
	rec->header.fd = -1;
	rec->header.captured_len = sizeof(rec->secrets);
	rec->header.tls_library = probe_library(ctx);
	bpf_get_current_comm(rec->header.comm, sizeof(rec->header.comm));
	conn = lookup_conn(pid, ssl);
	if (conn) {
		rec->header.sock_id = conn->sock_id;
		rec->header.fd = conn->fd;
		rec->header.family = conn->family;
		rec->header.local_port = conn->local_port;
		rec->header.remote_port = conn->remote_port;
		__builtin_memcpy(rec->header.local_addr, conn->local_addr, sizeof(rec->header.local_addr));
		__builtin_memcpy(rec->header.remote_addr, conn->remote_addr, sizeof(rec->header.remote_addr));
	} else {
		rec->header.flags = RECORD_FLAG_NO_SOCKET;
	}

	s = &rec->secrets;
	s->version = version;
	s->cipher_id = cipher_id;
	bpf_probe_read_user(s->client_random, sizeof(s->client_random),
			    (const void *)(ssl + layout->ssl_client_random));
	if (version == TLS1_3_VERSION) {
		bpf_probe_read_user(s->handshake_secret, sizeof(s->handshake_secret),
				    (const void *)(ssl + layout->ssl_handshake_secret));
		bpf_probe_read_user(s->handshake_traffic_hash, sizeof(s->handshake_traffic_hash),
				    (const void *)(ssl + layout->ssl_handshake_traffic_hash));
		bpf_probe_read_user(s->client_app_traffic_secret, sizeof(s->client_app_traffic_secret),
				    (const void *)(ssl + layout->ssl_client_app_traffic_secret));
		bpf_probe_read_user(s->server_app_traffic_secret, sizeof(s->server_app_traffic_secret),
				    (const void *)(ssl + layout->ssl_server_app_traffic_secret));
		bpf_probe_read_user(s->exporter_master_secret, sizeof(s->exporter_master_secret),
				    (const void *)(ssl + layout->ssl_exporter_master_secret));
	} else {
		s->master_key_len = (__u32)read_user_u64(session + layout->session_master_key_length);
		bpf_probe_read_user(s->master_key, sizeof(s->master_key),
				    (const void *)(session + layout->session_master_key));
	}
	bpf_ringbuf_submit(rec, 0);
	bpf_map_update_elem(&secrets_sent, &key, &random_head, BPF_ANY);
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_do_handshake_return, int ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct active_call *call;

	if (ret != 1 || !should_capture(pid))
		return 0;
	call = bpf_task_storage_get(&active_calls, bpf_get_current_task_btf(), 0, 0);
	if (call && call->kind == CALL_HANDSHAKE)
		emit_secrets(ctx, pid, call->ssl);
	return 0;
}

#endif /* PLAINTAP_TLS_SECRETS_BPF_H */
