// SPDX-License-Identifier: Apache-2.0
// Drains the kernel ring buffer on a background thread and hands records to JS
// in batches: one JS call per drain, a bounded number of undelivered batches.
#pragma once
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

struct ring_buffer;

namespace plaintap {

struct RingCounters {
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> dropped_records{0};  // queue full at stop: dropped in native
  std::atomic<uint64_t> dropped_batches{0};
  std::atomic<uint64_t> backpressure_waits{0};  // times the reader paused for a full queue
};

class RingReader {
 public:
  // JS thread. on_batch receives one Buffer of 8-byte aligned records per drain.
  // counters must outlive the reader (the session keeps them after stop).
  RingReader(Napi::Env env, int ring_map_fd, Napi::Function on_batch, size_t max_pending_batches,
             RingCounters* counters);
  ~RingReader();

  // JS thread: stops the reader thread and waits for it; undelivered batches are freed.
  void Stop();

 private:
  // Reader thread.
  void Run();
  static int OnSample(void* ctx, void* data, size_t size);
  void Deliver();

  ring_buffer* ring_ = nullptr;
  Napi::ThreadSafeFunction tsfn_;
  std::vector<uint8_t>* batch_ = nullptr;  // owned by the reader thread until delivered
  uint64_t batch_records_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  RingCounters& counters_;
};

}  // namespace plaintap
