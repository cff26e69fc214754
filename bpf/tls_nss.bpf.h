/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NSS/NSPR uprobes. Programs do their TLS I/O through NSPR's generic calls
 * (PR_Write, PR_Send, PR_Writev, PR_Read, PR_Recv in libnspr4.so) on a
 * PRFileDesc whose top layer is NSS's SSL layer (libssl3.so); the same calls
 * serve files, pipes and plain sockets, whose bytes must not be captured. So
 * each PRFileDesc is classified once per process and the verdict kept until
 * PR_Close: TLS when SSL_ImportFD returned it, or when its top layer's close
 * method lies in a file user space registered as NSS's SSL library (how
 * sockets that existed before plaintap, and those PR_Accept returns on a TLS
 * listener, are recognised). The PRFileDesc is the session key; the SSL
 * layer's socket syscalls are nested in the calls, so fd and tuple are learned
 * as for OpenSSL. Writes are emitted at their return: a non-blocking write that
 * would block is retried with the same bytes.
 */
#ifndef PLAINTAP_TLS_NSS_BPF_H
#define PLAINTAP_TLS_NSS_BPF_H

enum nss_fd_verdict {
	NSS_FD_TLS = 1,
	NSS_FD_PLAIN = 2,
};

/* (pid, PRFileDesc*) → enum nss_fd_verdict; removed at PR_Close. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, __u8);
} nss_fds SEC(".maps");

/*
 * Inode numbers of the files holding NSS's SSL layer (libssl3.so), from user
 * space. The inode number alone: a file mapped from an overlayfs (a container)
 * is the lower layer's file, on another device than stat(2) reports.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u8);
} nss_ssl_files SEC(".maps");

/* The public layout of NSPR's PRFileDesc and PRIOMethods (prio.h), first fields. */
struct nss_prfiledesc {
	__u64 methods; /* const PRIOMethods * */
};

struct nss_priomethods {
	__u32 file_type;
	__u32 _pad;
	__u64 close; /* PRCloseFN */
};

struct nss_vma_check {
	bool in_ssl_library;
};

static long nss_vma_in_ssl_library(struct task_struct *task, struct vm_area_struct *vma, struct nss_vma_check *check)
{
	__u64 ino = BPF_CORE_READ(vma, vm_file, f_inode, i_ino);

	check->in_ssl_library = ino != 0 && bpf_map_lookup_elem(&nss_ssl_files, &ino) != NULL;
	return 0;
}

/* Does the top layer of fd belong to NSS's SSL library (its close method lies in that file)? */
static __always_inline bool nss_top_layer_is_ssl(__u64 fd)
{
	struct nss_prfiledesc desc = {};
	struct nss_priomethods methods = {};
	struct nss_vma_check check = {};

	if (bpf_probe_read_user(&desc, sizeof(desc), (const void *)fd) != 0 || desc.methods == 0)
		return false;
	if (bpf_probe_read_user(&methods, sizeof(methods), (const void *)desc.methods) != 0 || methods.close == 0)
		return false;
	bpf_find_vma(bpf_get_current_task_btf(), methods.close, nss_vma_in_ssl_library, &check, 0);
	return check.in_ssl_library;
}

static __always_inline void nss_remember(__u32 pid, __u64 fd, __u8 verdict)
{
	struct ssl_key key = {.pid = pid, .ssl = fd};

	bpf_map_update_elem(&nss_fds, &key, &verdict, BPF_ANY);
}

/* Is fd an NSS TLS socket? Classified on first sight, then from the map. */
static __always_inline bool nss_is_tls(__u32 pid, __u64 fd)
{
	struct ssl_key key = {.pid = pid, .ssl = fd};
	__u8 *verdict = bpf_map_lookup_elem(&nss_fds, &key);
	__u8 found;

	if (verdict)
		return *verdict == NSS_FD_TLS;
	found = nss_top_layer_is_ssl(fd) ? NSS_FD_TLS : NSS_FD_PLAIN;
	nss_remember(pid, fd, found);
	return found == NSS_FD_TLS;
}

/* PRFileDesc *SSL_ImportFD(PRFileDesc *model, PRFileDesc *fd): the returned descriptor is TLS. */
SEC("uretprobe")
int BPF_KRETPROBE(nss_import_fd_return, void *fd)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (fd && should_capture(pid))
		nss_remember(pid, (__u64)fd, NSS_FD_TLS);
	return 0;
}

/* PRFileDesc *PR_Accept(PRFileDesc *fd, PRNetAddr *addr, PRIntervalTime timeout): a TLS listener's are TLS. */
SEC("uretprobe")
int BPF_KRETPROBE(nss_accept_return, void *fd)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	/* A new descriptor: whatever was known about an earlier one at that address is stale. */
	if (fd && should_capture(pid))
		nss_remember(pid, (__u64)fd, nss_top_layer_is_ssl((__u64)fd) ? NSS_FD_TLS : NSS_FD_PLAIN);
	return 0;
}

/* PRStatus PR_Close(PRFileDesc *fd) */
SEC("uprobe")
int BPF_KPROBE(nss_close_entry, void *fd)
{
	struct ssl_key key = {.pid = bpf_get_current_pid_tgid() >> 32, .ssl = (__u64)fd};
	__u8 *verdict = bpf_map_lookup_elem(&nss_fds, &key);

	if (!verdict)
		return 0;
	if (*verdict == NSS_FD_TLS)
		tls_free((__u64)fd);
	bpf_map_delete_elem(&nss_fds, &key);
	return 0;
}

/* PRInt32 PR_Write(PRFileDesc *fd, const void *buf, PRInt32 amount), and PR_Send (same first three). */
SEC("uprobe")
int BPF_KPROBE(nss_write_entry, void *fd, const void *buf, int amount)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (amount > 0 && should_capture(pid) && nss_is_tls(pid, (__u64)fd))
		tls_write((__u64)fd, TLS_LIBRARY_NSS, (__u64)buf, amount);
	return 0;
}

/* PRInt32 PR_Writev(PRFileDesc *fd, const PRIOVec *iov, PRInt32 iov_size, PRIntervalTime timeout) */
SEC("uprobe")
int BPF_KPROBE(nss_writev_entry, void *fd, const void *iov, int iov_size)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__s64 total = 0;

	if (iov_size <= 0 || !should_capture(pid) || !nss_is_tls(pid, (__u64)fd))
		return 0;
	/* The total decides how much of the entries the return emits: sum what is captured. */
	for (int i = 0; i < PLAINTAP_MAX_IOVECS; i++) {
		struct tls_iovec entry = {};

		if (i >= iov_size)
			break;
		if (bpf_probe_read_user(&entry, sizeof(entry), iov + i * sizeof(entry)) != 0)
			break;
		if (entry.len > 0)
			total += entry.len;
	}
	tls_writev((__u64)fd, TLS_LIBRARY_NSS, (__u64)iov, (__u32)iov_size, total);
	return 0;
}

/* Return of PR_Write / PR_Send: the bytes taken. */
SEC("uretprobe")
int BPF_KRETPROBE(nss_write_return, int ret)
{
	tls_write_return(ret);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(nss_writev_return, int ret)
{
	tls_writev_return(ret);
	return 0;
}

/* PRInt32 PR_Read(PRFileDesc *fd, void *buf, PRInt32 amount), and PR_Recv (same first three). */
SEC("uprobe")
int BPF_KPROBE(nss_read_entry, void *fd, void *buf)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (should_capture(pid) && nss_is_tls(pid, (__u64)fd))
		tls_read_enter((__u64)fd, TLS_LIBRARY_NSS, (__u64)buf, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(nss_read_return, int ret)
{
	tls_read_return(ctx, ret);
	return 0;
}

/* SECStatus SSL_ForceHandshake(PRFileDesc *fd): its syscalls teach the socket before the first write. */
SEC("uprobe")
int BPF_KPROBE(nss_force_handshake_entry, void *fd)
{
	tls_handshake_enter((__u64)fd, TLS_LIBRARY_NSS);
	return 0;
}

#endif /* PLAINTAP_TLS_NSS_BPF_H */
