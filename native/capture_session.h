// SPDX-License-Identifier: Apache-2.0
// One loaded copy of the eBPF programs: load, attach, read, count, detach.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

struct plaintap_bpf;
struct bpf_link;
struct bpf_program;

namespace plaintap {

class RingReader;
struct RingCounters;

class CaptureSession : public Napi::ObjectWrap<CaptureSession> {
 public:
  static Napi::Function Define(Napi::Env env);

  // JS thread: opens and loads the programs with the given settings.
  explicit CaptureSession(const Napi::CallbackInfo& info);
  ~CaptureSession() override;

 private:
  // All methods run on the JS thread.
  Napi::Value AttachTracepoints(const Napi::CallbackInfo& info);
  Napi::Value AttachUprobes(const Napi::CallbackInfo& info);
  Napi::Value AttachTc(const Napi::CallbackInfo& info);
  Napi::Value AddNssSslFile(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Detached(const Napi::CallbackInfo& info);
  Napi::Value UprobeMulti(const Napi::CallbackInfo& info);

  Napi::Object AttachResult(Napi::Env env, const std::string& target, const std::string& point, bpf_link* link, int err,
                            std::vector<bpf_link*>& owner);
  Napi::Object UprobeMultiResult(Napi::Env env, const std::string& target, const std::string& point, int err);
  Napi::Array AttachUprobeMulti(Napi::Env env, const std::string& path, const std::string& target,
                                const Napi::Array& probes, int pid);
  void Close();
  std::vector<uint64_t> ReadKernelCounters();

  plaintap_bpf* skel_ = nullptr;
  // Perf-event links: the tracepoints', and the uprobes' where they are not uprobe_multi links.
  std::vector<bpf_link*> tracepoint_links_;
  std::vector<bpf_link*> links_;
  // Uprobes attach as uprobe_multi links (native/uprobe_multi.h): their programs were loaded for
  // them, and these are the links' fds.
  bool uprobe_multi_ = false;
  std::vector<int> uprobe_multi_links_;
  // Milliseconds Close() spent detaching links and TC filters.
  double detach_ms_ = 0;
  // What detached() answers once stop() was called: settled when the tracepoints are detached too.
  Napi::Reference<Napi::Promise> detached_;
  std::unique_ptr<RingCounters> ring_counters_;
  std::unique_ptr<RingReader> reader_;
  // Kernel counters read at stop, reported after the maps are gone.
  std::vector<uint64_t> final_kernel_counters_;
  bool secrets_enabled_ = false;
  // TC classifiers we attached, to detach at stop.
  struct TcFilter {
    int ifindex;
    bool ingress;
    uint32_t handle;
    uint32_t priority;
  };
  std::vector<TcFilter> tc_filters_;
};

}  // namespace plaintap
