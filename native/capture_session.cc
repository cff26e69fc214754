// SPDX-License-Identifier: Apache-2.0
#include "capture_session.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <signal.h>

#include "events.h"
#include "native_error.h"
#include "plaintap.skel.h"
#include "ring_reader.h"
#include "uprobe_multi.h"

namespace plaintap {

namespace {

// The verifier gives up with EAGAIN when a signal is pending for the loading thread, and signals
// can arrive every millisecond (a profiler's SIGPROF, a busy parent's SIGCHLD). Blocking them
// for the load defers them instead; they are delivered once the mask is restored.
int LoadWithSignalsBlocked(plaintap_bpf* skel) {
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  int err = plaintap_bpf__load(skel);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return err;
}

// What this file and ring_reader.cc rely on, stated against the header's own macros (the
// TypeScript side is generated from the same header: scripts/generate-abi.js).
static_assert(sizeof(record_header) % PLAINTAP_RECORD_ALIGN == 0, "records must stay aligned within a batch");
static_assert(sizeof(record_header::comm) == PLAINTAP_COMM_LEN, "comm filters are compared with record_header.comm");
static_assert(COUNTER_MAX > COUNTER_SOCKET_UNRESOLVED, "counters() reads every counter below COUNTER_MAX");
static_assert(COUNTER_MAX > COUNTER_PACKET_LOST, "counters() reads every counter below COUNTER_MAX");
static_assert(COUNTER_MAX > COUNTER_SOURCE_STATE_LOST, "counters() reads every counter below COUNTER_MAX");
// The ring reader sizes every record by header.captured_len: the source records keep it there.
static_assert(offsetof(shell_command_record, captured_len) == offsetof(record_header, captured_len),
              "captured_len must sit where record_header has it");
static_assert(offsetof(db_query_record, captured_len) == offsetof(record_header, captured_len),
              "captured_len must sit where record_header has it");

// libbpf's warnings, kept for the error message of a failed load or attach.
std::mutex log_mutex;
std::string libbpf_log;

int CollectLibbpfLog(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  int n = vsnprintf(line, sizeof(line), format, args);
  std::lock_guard<std::mutex> lock(log_mutex);
  if (libbpf_log.size() < 64 * 1024) libbpf_log += line;
  return n;
}

std::string TakeLibbpfLog() {
  std::lock_guard<std::mutex> lock(log_mutex);
  std::string log;
  log.swap(libbpf_log);
  // The verifier log can be long: its tail says what failed.
  if (log.size() > 4000) log = "…" + log.substr(log.size() - 4000);
  return log;
}

// The openssl_layout fields, in struct order, as JS property names.
const char* const kLayoutFields[] = {
    "sslVersion",
    "sslSession",
    "sslClientRandom",
    "sslHandshakeSecret",
    "sslHandshakeTrafficHash",
    "sslClientAppTrafficSecret",
    "sslServerAppTrafficSecret",
    "sslExporterMasterSecret",
    "sessionMasterKeyLength",
    "sessionMasterKey",
    "sessionCipher",
    "cipherId",
};
static_assert(sizeof(kLayoutFields) / sizeof(kLayoutFields[0]) * sizeof(__u32) == sizeof(openssl_layout),
              "kLayoutFields must name every openssl_layout field");

uint32_t GetUint(const Napi::Object& options, const char* key, uint32_t fallback) {
  Napi::Value value = options.Get(key);
  return value.IsNumber() ? value.As<Napi::Number>().Uint32Value() : fallback;
}

// The pcapng's programs: its TC classifiers and its connect/accept tracepoints (named pcap_*).
bool IsPcapProgram(bpf_program* prog) {
  const char* section = bpf_program__section_name(prog);
  return strcmp(section, "tc") == 0 ||
         (strncmp(section, "tracepoint/", 11) == 0 && strncmp(bpf_program__name(prog), "pcap_", 5) == 0);
}

bool IsUprobeProgram(bpf_program* prog) {
  const char* section = bpf_program__section_name(prog);
  return bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE &&
         (strncmp(section, "uprobe", 6) == 0 || strncmp(section, "uretprobe", 9) == 0);
}

// One entry of attachUprobes' probes, read from JS.
struct UprobeRequest {
  bpf_program* program;  // nullptr: no program of that name
  std::string point;
  bool retprobe;
  uint64_t offset;
  uint64_t cookie;
};

UprobeRequest ReadUprobe(bpf_object* obj, const Napi::Object& probe) {
  UprobeRequest request;
  std::string name = probe.Get("program").ToString().Utf8Value();
  request.program = bpf_object__find_program_by_name(obj, name.c_str());
  request.point = probe.Get("point").ToString().Utf8Value();
  request.retprobe = probe.Get("retprobe").ToBoolean().Value();
  request.offset = static_cast<uint64_t>(probe.Get("offset").As<Napi::Number>().Int64Value());
  // A BigInt carries all 64 bits (Go's struct offsets); a Number the library of shared programs.
  Napi::Value cookie_value = probe.Get("cookie");
  request.cookie = 0;
  if (cookie_value.IsBigInt()) {
    bool lossless = true;
    request.cookie = cookie_value.As<Napi::BigInt>().Uint64Value(&lossless);
  } else if (cookie_value.IsNumber()) {
    request.cookie = cookie_value.As<Napi::Number>().Uint32Value();
  }
  return request;
}

// Every detach waits for RCU grace periods in the kernel (30–200 ms each on a busy host; a
// perf-event link's under the kernel's event_mutex): one after the other, 19 perf-event links took
// 1.7–2.4 s of every stop. Side by side the waits overlap (all of them for uprobe_multi links).
void DetachAll(const std::vector<bpf_link*>& links, const std::vector<int>& link_fds) {
  std::vector<std::function<void()>> detaches;
  detaches.reserve(links.size() + link_fds.size());
  for (bpf_link* link : links) detaches.emplace_back([link] { bpf_link__destroy(link); });
  for (int fd : link_fds) detaches.emplace_back([fd] { close(fd); });
  std::vector<std::thread> threads;
  threads.reserve(detaches.size());
  for (std::function<void()>& detach : detaches) {
    try {
      threads.emplace_back(detach);
    } catch (const std::system_error&) {
      detach();  // no thread to spare: detach here
    }
  }
  for (std::thread& thread : threads) thread.join();
}

// Detaches the tracepoints' links on a libuv thread while the agent flushes: a tracepoint's
// perf-event link waits for grace periods under the kernel's event lock, one tracepoint after the
// other (11 of them: about 430 ms on a quiet host). Resolves { detachMs }: from the stop's start
// to the last link detached, the part stop() did itself included.
class TracepointDetach : public Napi::AsyncWorker {
 public:
  TracepointDetach(Napi::Env env, std::vector<bpf_link*> links, std::chrono::steady_clock::time_point started)
      : Napi::AsyncWorker(env, "plaintap:detach"),
        links_(std::move(links)),
        started_(started),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }
  // JS thread, before the worker can finish: what stop() spent detaching.
  void SetStopMs(double ms) { stop_ms_ = ms; }

  // libuv thread.
  void Execute() override {
    DetachAll(links_, {});
    links_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  }

  // JS thread.
  void OnOK() override {
    Napi::Object result = Napi::Object::New(Env());
    result.Set("detachMs", std::max(stop_ms_, links_ms_));
    deferred_.Resolve(result);
  }

 private:
  std::vector<bpf_link*> links_;
  std::chrono::steady_clock::time_point started_;
  Napi::Promise::Deferred deferred_;
  double stop_ms_ = 0;
  double links_ms_ = 0;
};

}  // namespace

Napi::Function CaptureSession::Define(Napi::Env env) {
  return DefineClass(env, "CaptureSession",
                     {
                         InstanceMethod("attachTracepoints", &CaptureSession::AttachTracepoints),
                         InstanceMethod("attachUprobes", &CaptureSession::AttachUprobes),
                         InstanceMethod("attachTc", &CaptureSession::AttachTc),
                         InstanceMethod("addNssSslFile", &CaptureSession::AddNssSslFile),
                         InstanceMethod("start", &CaptureSession::Start),
                         InstanceMethod("counters", &CaptureSession::Counters),
                         InstanceMethod("stop", &CaptureSession::Stop),
                         InstanceMethod("detached", &CaptureSession::Detached),
                         InstanceAccessor("uprobeMulti", &CaptureSession::UprobeMulti, nullptr),
                     });
}

// options: { ringBufferBytes, selfPid, pids: number[], comms: string[], cgroupIds: bigint[], secrets: boolean,
//            opensslLayouts: object[] (entry i is cookie i + 1), pcap: boolean, snaplen, uprobeMulti: boolean }
CaptureSession::CaptureSession(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CaptureSession>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "CaptureSession(options): options must be an object");
  }
  Napi::Object options = info[0].As<Napi::Object>();
  ring_counters_ = std::make_unique<RingCounters>();
  libbpf_set_print(CollectLibbpfLog);
  TakeLibbpfLog();

  skel_ = plaintap_bpf__open();
  if (skel_ == nullptr) ThrowError(env, "ERR_PLAINTAP_OPEN", "cannot open the eBPF object", errno, "bpf");

  skel_->rodata->self_pid = GetUint(options, "selfPid", 0);
  Napi::Array pids = options.Get("pids").IsArray() ? options.Get("pids").As<Napi::Array>() : Napi::Array::New(env);
  Napi::Array comms = options.Get("comms").IsArray() ? options.Get("comms").As<Napi::Array>() : Napi::Array::New(env);
  if (comms.Length() > PLAINTAP_MAX_COMM_FILTERS) {
    Close();
    ThrowError(env, "ERR_PLAINTAP_OPTIONS", "at most " + std::to_string(PLAINTAP_MAX_COMM_FILTERS) + " comm filters");
  }
  Napi::Array cgroups =
      options.Get("cgroupIds").IsArray() ? options.Get("cgroupIds").As<Napi::Array>() : Napi::Array::New(env);
  skel_->rodata->cgroup_filter_count = cgroups.Length();
  skel_->rodata->pid_filter_count = pids.Length();
  skel_->rodata->comm_filter_count = comms.Length();
  for (uint32_t i = 0; i < comms.Length(); i++) {
    std::string comm = comms.Get(i).ToString().Utf8Value();
    strncpy(const_cast<char*>(skel_->rodata->comm_filters[i]), comm.c_str(), PLAINTAP_COMM_LEN - 1);
  }

  secrets_enabled_ = options.Get("secrets").ToBoolean().Value();
  skel_->rodata->secrets_enabled = secrets_enabled_;
  bool pcap = options.Get("pcap").ToBoolean().Value();
  skel_->rodata->pcap_enabled = pcap;
  skel_->rodata->pcap_snaplen = GetUint(options, "snaplen", PLAINTAP_MAX_SNAPLEN);
  // One packet staging area per CPU: the TC programs index it by CPU (no room in a per-CPU map value).
  if (pcap) bpf_map__set_max_entries(skel_->maps.packet_scratch, std::max(libbpf_num_possible_cpus(), 1));
  // Without a pcapng its programs are not loaded: its tracepoints would return at once yet cost
  // every stop their own grace periods under the kernel's event lock, and loading TC classifiers
  // needs CAP_NET_ADMIN.
  if (!pcap) {
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel_->obj) {
      if (IsPcapProgram(prog)) bpf_program__set_autoload(prog, false);
    }
  }

  uint32_t ring_bytes = GetUint(options, "ringBufferBytes", 8u << 20);
  int err = bpf_map__set_max_entries(skel_->maps.events, ring_bytes);
  if (err != 0) {
    Close();
    ThrowError(env, "ERR_PLAINTAP_OPTIONS", "invalid ring buffer size " + std::to_string(ring_bytes), -err);
  }

  // A program attaches either as a perf-event uprobe or by uprobe_multi links, as it was loaded:
  // the latter where the kernel has them, unless turned off (uprobeMulti: false).
  uprobe_multi_ = !options.Get("uprobeMulti").IsBoolean() || options.Get("uprobeMulti").ToBoolean().Value();
  uprobe_multi_ = uprobe_multi_ && UprobeMultiSupported();
  if (uprobe_multi_) {
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel_->obj) {
      if (IsUprobeProgram(prog))
        bpf_program__set_expected_attach_type(prog, static_cast<bpf_attach_type>(kTraceUprobeMulti));
    }
  }

  err = LoadWithSignalsBlocked(skel_);
  if (err != 0) {
    std::string log = TakeLibbpfLog();
    Close();
    ThrowError(env, "ERR_PLAINTAP_LOAD", "cannot load the eBPF programs (" + log + ")", -err, "bpf");
  }

  __u8 one = 1;
  int pid_map = bpf_map__fd(skel_->maps.pid_filter);
  for (uint32_t i = 0; i < pids.Length(); i++) {
    __u32 pid = pids.Get(i).As<Napi::Number>().Uint32Value();
    if (bpf_map_update_elem(pid_map, &pid, &one, BPF_ANY) != 0) {
      int update_err = errno;
      Close();
      ThrowError(env, "ERR_PLAINTAP_OPTIONS", "cannot set the pid filter", update_err, "bpf");
    }
  }
  int cgroup_map = bpf_map__fd(skel_->maps.cgroup_filter);
  for (uint32_t i = 0; i < cgroups.Length(); i++) {
    Napi::Value value = cgroups.Get(i);
    bool lossless = false;
    __u64 id = value.IsBigInt() ? value.As<Napi::BigInt>().Uint64Value(&lossless) : 0;
    if (!lossless || bpf_map_update_elem(cgroup_map, &id, &one, BPF_ANY) != 0) {
      int update_err = lossless ? errno : EINVAL;
      Close();
      ThrowError(env, "ERR_PLAINTAP_OPTIONS", "cannot set the cgroup filter", update_err, "bpf");
    }
  }

  Napi::Array layouts =
      options.Get("opensslLayouts").IsArray() ? options.Get("opensslLayouts").As<Napi::Array>() : Napi::Array::New(env);
  if (layouts.Length() >= PLAINTAP_MAX_OPENSSL_LAYOUTS) {
    Close();
    ThrowError(env, "ERR_PLAINTAP_OPTIONS", "too many OpenSSL layouts");
  }
  for (uint32_t i = 0; i < layouts.Length(); i++) {
    Napi::Object layout = layouts.Get(i).As<Napi::Object>();
    __u32 values[sizeof(openssl_layout) / sizeof(__u32)];
    for (size_t f = 0; f < sizeof(values) / sizeof(values[0]); f++) values[f] = GetUint(layout, kLayoutFields[f], 0);
    __u32 index = i + 1;
    if (bpf_map_update_elem(bpf_map__fd(skel_->maps.openssl_layouts), &index, values, BPF_ANY) != 0) {
      int update_err = errno;
      Close();
      ThrowError(env, "ERR_PLAINTAP_OPTIONS", "cannot set an OpenSSL layout", update_err, "bpf");
    }
  }
}

CaptureSession::~CaptureSession() { Close(); }

void CaptureSession::Close() {
  if (reader_) reader_->Stop();
  reader_.reset();
  if (skel_ != nullptr) final_kernel_counters_ = ReadKernelCounters();
  bool detaching =
      !tracepoint_links_.empty() || !links_.empty() || !uprobe_multi_links_.empty() || !tc_filters_.empty();
  auto detach_started = std::chrono::steady_clock::now();
  links_.insert(links_.end(), tracepoint_links_.begin(), tracepoint_links_.end());
  tracepoint_links_.clear();
  DetachAll(links_, uprobe_multi_links_);
  links_.clear();
  uprobe_multi_links_.clear();
  // Only our filters: the clsact qdisc may hold other tools' programs, so it stays.
  for (TcFilter& filter : tc_filters_) {
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = filter.ifindex,
                .attach_point = filter.ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
    LIBBPF_OPTS(bpf_tc_opts, opts, .handle = filter.handle, .priority = filter.priority);
    bpf_tc_detach(&hook, &opts);
  }
  tc_filters_.clear();
  if (detaching) {
    detach_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - detach_started).count();
  }
  if (skel_ != nullptr) plaintap_bpf__destroy(skel_);
  skel_ = nullptr;
}

// A link attached is kept in owner, to detach at stop.
Napi::Object CaptureSession::AttachResult(Napi::Env env, const std::string& target, const std::string& point,
                                          bpf_link* link, int err, std::vector<bpf_link*>& owner) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("target", target);
  result.Set("point", point);
  result.Set("ok", link != nullptr);
  if (link != nullptr) {
    owner.push_back(link);
  } else {
    result.Set("errno", err);
    std::string log = TakeLibbpfLog();
    result.Set("error", std::string(strerror(err)) + (log.empty() ? "" : " (" + log + ")"));
  }
  return result;
}

// Returns [{ target, point, ok, errno?, error? }] for every tracepoint program.
Napi::Value CaptureSession::AttachTracepoints(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (skel_ == nullptr) ThrowError(env, "ERR_PLAINTAP_STOPPED", "capture session is stopped");
  Napi::Array results = Napi::Array::New(env);
  bpf_program* prog;
  bpf_object__for_each_program(prog, skel_->obj) {
    const char* section = bpf_program__section_name(prog);
    if (strncmp(section, "tracepoint/", 11) != 0 || !bpf_program__autoload(prog)) continue;
    bpf_link* link = bpf_program__attach(prog);
    int err = link == nullptr ? errno : 0;
    results.Set(results.Length(), AttachResult(env, "kernel", section + 11, link, err, tracepoint_links_));
  }
  return results;
}

Napi::Object CaptureSession::UprobeMultiResult(Napi::Env env, const std::string& target, const std::string& point,
                                               int err) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("target", target);
  result.Set("point", point);
  result.Set("ok", err == 0);
  if (err != 0) {
    result.Set("errno", err);
    result.Set("error", std::string(strerror(err)));
  }
  return result;
}

// attachUprobes(path, probes, pid = -1) → [{ target, point, ok, errno?, error? }], one per probe.
// probes: [{ program, offset, retprobe, point, cookie }]: a program of the object by name, at a file
// offset the target finder resolved (so a large executable's symbol tables are read once, not
// once per probe); the cookie tells the program which library it serves. With a pid the breakpoints
// are installed in that process only.
Napi::Value CaptureSession::AttachUprobes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (skel_ == nullptr) ThrowError(env, "ERR_PLAINTAP_STOPPED", "capture session is stopped");
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsArray())
    throw Napi::TypeError::New(env, "attachUprobes(path, probes, pid?)");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  Napi::Array probes = info[1].As<Napi::Array>();
  int pid = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : -1;
  std::string target = pid < 0 ? path : path + "@" + std::to_string(pid);
  if (uprobe_multi_) return AttachUprobeMulti(env, path, target, probes, pid);
  Napi::Array results = Napi::Array::New(env);
  for (uint32_t i = 0; i < probes.Length(); i++) {
    UprobeRequest probe = ReadUprobe(skel_->obj, probes.Get(i).As<Napi::Object>());
    if (probe.program == nullptr) {
      results.Set(results.Length(), AttachResult(env, target, probe.point, nullptr, ENOENT, links_));
      continue;
    }
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = probe.cookie, .retprobe = probe.retprobe);
    bpf_link* link =
        bpf_program__attach_uprobe_opts(probe.program, pid, path.c_str(), static_cast<size_t>(probe.offset), &opts);
    int err = link == nullptr ? errno : 0;
    results.Set(results.Length(), AttachResult(env, target, probe.point, link, err, links_));
  }
  return results;
}

// attachUprobes by uprobe_multi links: one link per program and kind (entry or return) for the
// file, each probe's result that of its link. A link the kernel refuses is tried again probe by
// probe, so one bad offset fails alone, as a perf-event uprobe would.
Napi::Array CaptureSession::AttachUprobeMulti(Napi::Env env, const std::string& path, const std::string& target,
                                              const Napi::Array& probes, int pid) {
  std::vector<UprobeRequest> requests;
  for (uint32_t i = 0; i < probes.Length(); i++)
    requests.push_back(ReadUprobe(skel_->obj, probes.Get(i).As<Napi::Object>()));
  std::vector<int> errors(requests.size(), ENOENT);
  std::vector<bool> grouped(requests.size(), false);
  for (size_t first = 0; first < requests.size(); first++) {
    if (grouped[first] || requests[first].program == nullptr) continue;
    std::vector<size_t> members;
    for (size_t i = first; i < requests.size(); i++) {
      if (!grouped[i] && requests[i].program == requests[first].program &&
          requests[i].retprobe == requests[first].retprobe) {
        grouped[i] = true;
        members.push_back(i);
      }
    }
    int prog_fd = bpf_program__fd(requests[first].program);
    auto attach = [&](const std::vector<size_t>& indexes) {
      std::vector<UprobeMultiTarget> targets;
      for (size_t i : indexes) targets.push_back({requests[i].offset, requests[i].cookie});
      int fd = CreateUprobeMultiLink(prog_fd, path, targets, requests[first].retprobe, pid);
      if (fd >= 0) uprobe_multi_links_.push_back(fd);
      for (size_t i : indexes) errors[i] = fd >= 0 ? 0 : -fd;
      return fd >= 0;
    };
    if (!attach(members) && members.size() > 1) {
      for (size_t i : members) attach({i});
    }
  }
  Napi::Array results = Napi::Array::New(env);
  for (size_t i = 0; i < requests.size(); i++) {
    results.Set(results.Length(), UprobeMultiResult(env, target, requests[i].point, errors[i]));
  }
  return results;
}

// attachTc(ifindex, name, ingress) → [{ target: 'kernel', point: 'tc/NAME/ingress|egress', ok, errno?, error? }]
// Adds the clsact qdisc when the interface has none and our classifier to it; stop() removes the classifier.
Napi::Value CaptureSession::AttachTc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (skel_ == nullptr) ThrowError(env, "ERR_PLAINTAP_STOPPED", "capture session is stopped");
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsString())
    throw Napi::TypeError::New(env, "attachTc(ifindex, name, ingress)");
  int ifindex = info[0].As<Napi::Number>().Int32Value();
  std::string name = info[1].As<Napi::String>().Utf8Value();
  bool ingress = info[2].ToBoolean().Value();
  std::string point = "tc/" + name + (ingress ? "/ingress" : "/egress");
  Napi::Array results = Napi::Array::New(env);
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
  int err = bpf_tc_hook_create(&hook);
  if (err != 0 && err != -EEXIST) {
    Napi::Object result = AttachResult(env, "kernel", point, nullptr, -err, links_);
    results.Set(0u, result);
    return results;
  }
  bpf_program* prog = ingress ? skel_->progs.tc_ingress : skel_->progs.tc_egress;
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(prog));
  err = bpf_tc_attach(&hook, &opts);
  Napi::Object result = Napi::Object::New(env);
  result.Set("target", "kernel");
  result.Set("point", point);
  result.Set("ok", err == 0);
  if (err == 0) {
    tc_filters_.push_back({ifindex, ingress, opts.handle, opts.priority});
  } else {
    result.Set("errno", -err);
    std::string log = TakeLibbpfLog();
    result.Set("error", std::string(strerror(-err)) + (log.empty() ? "" : " (" + log + ")"));
  }
  results.Set(0u, result);
  return results;
}

// start(onBatch, { maxPendingBatches }): begins draining the ring buffer.
// addNssSslFile(inode: bigint): the file with this inode number holds NSS's SSL layer (libssl3.so);
// descriptors whose top layer's code lies in it are TLS (bpf/tls_nss.bpf.h). Throws when the map is full.
Napi::Value CaptureSession::AddNssSslFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool lossless = false;
  __u64 inode = info.Length() > 0 && info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless) : 0;
  if (!lossless || inode == 0) throw Napi::TypeError::New(env, "addNssSslFile(inode): inode must be a bigint");
  if (skel_ == nullptr) ThrowError(env, "ERR_PLAINTAP_STOPPED", "the capture session is stopped");
  __u8 one = 1;
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.nss_ssl_files), &inode, &one, BPF_ANY) != 0) {
    ThrowError(env, "ERR_PLAINTAP_MAP", "cannot register an NSS SSL library", errno, "bpf");
  }
  return env.Undefined();
}

Napi::Value CaptureSession::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (skel_ == nullptr) ThrowError(env, "ERR_PLAINTAP_STOPPED", "capture session is stopped");
  if (reader_) ThrowError(env, "ERR_PLAINTAP_STARTED", "capture session already started");
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "start(onBatch, options)");
  uint32_t max_pending = 64;
  if (info.Length() > 1 && info[1].IsObject())
    max_pending = GetUint(info[1].As<Napi::Object>(), "maxPendingBatches", 64);
  reader_ = std::make_unique<RingReader>(env, bpf_map__fd(skel_->maps.events), info[0].As<Napi::Function>(),
                                         max_pending, ring_counters_.get());
  return env.Undefined();
}

// Sums the per-CPU kernel counters. JS thread.
std::vector<uint64_t> CaptureSession::ReadKernelCounters() {
  std::vector<uint64_t> totals(COUNTER_MAX, 0);
  int ncpus = libbpf_num_possible_cpus();
  std::vector<__u64> values(ncpus > 0 ? ncpus : 1);
  for (__u32 index = 0; index < COUNTER_MAX; index++) {
    if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.counters), &index, values.data()) != 0) continue;
    for (__u64 value : values) totals[index] += value;
  }
  return totals;
}

// counters() → { kernelLost, socketUnresolved, secretLost, secretLayoutMismatch, packetLost, goReadUnmatched,
//   sourceStateLost, records, bytes, batches, droppedRecords, droppedBatches, backpressureWaits }
// Still answers after stop(), with the final values.
Napi::Value CaptureSession::Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  std::vector<uint64_t> kernel = skel_ != nullptr ? ReadKernelCounters() : final_kernel_counters_;
  kernel.resize(COUNTER_MAX, 0);
  result.Set("kernelLost", Napi::Number::New(env, static_cast<double>(kernel[COUNTER_RINGBUF_LOST])));
  result.Set("socketUnresolved", Napi::Number::New(env, static_cast<double>(kernel[COUNTER_SOCKET_UNRESOLVED])));
  result.Set("secretLost", Napi::Number::New(env, static_cast<double>(kernel[COUNTER_SECRET_LOST])));
  result.Set("secretLayoutMismatch", Napi::Number::New(env, static_cast<double>(kernel[COUNTER_SECRET_LAYOUT])));
  result.Set("packetLost", Napi::Number::New(env, static_cast<double>(kernel[COUNTER_PACKET_LOST])));
  result.Set("goReadUnmatched", Napi::Number::New(env, static_cast<double>(kernel[COUNTER_GO_READ_UNMATCHED])));
  result.Set("sourceStateLost", Napi::Number::New(env, static_cast<double>(kernel[COUNTER_SOURCE_STATE_LOST])));
  const RingCounters& ring = *ring_counters_;
  result.Set("records", static_cast<double>(ring.records.load()));
  result.Set("bytes", static_cast<double>(ring.bytes.load()));
  result.Set("batches", static_cast<double>(ring.batches.load()));
  result.Set("droppedRecords", static_cast<double>(ring.dropped_records.load()));
  result.Set("droppedBatches", static_cast<double>(ring.dropped_batches.load()));
  result.Set("backpressureWaits", static_cast<double>(ring.backpressure_waits.load()));
  return result;
}

// stop(): drains what is in the ring, detaches every uprobe and TC filter, frees the programs; the
// tracepoints are detached on a worker thread meanwhile (detached() says when). Idempotent.
Napi::Value CaptureSession::Stop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!detached_.IsEmpty()) return env.Undefined();
  auto started = std::chrono::steady_clock::now();
  auto* worker = new TracepointDetach(env, std::move(tracepoint_links_), started);
  tracepoint_links_.clear();
  detached_ = Napi::Persistent(worker->Promise());
  worker->Queue();
  Close();
  worker->SetStopMs(detach_ms_);
  return env.Undefined();
}

// detached() → Promise<{ detachMs }>: settles once stop() and its worker have detached every link;
// detachMs runs from stop()'s start to the last link. Before stop(): what a close spent (0).
Napi::Value CaptureSession::Detached(const Napi::CallbackInfo& info) {
  if (!detached_.IsEmpty()) return detached_.Value();
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(info.Env());
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("detachMs", detach_ms_);
  deferred.Resolve(result);
  return deferred.Promise();
}

// uprobeMulti: true when uprobes attach as uprobe_multi links, false as perf-event uprobes.
Napi::Value CaptureSession::UprobeMulti(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), uprobe_multi_);
}

}  // namespace plaintap
