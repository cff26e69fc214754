// SPDX-License-Identifier: Apache-2.0
#include "ring_reader.h"

#include <bpf/libbpf.h>
#include <linux/types.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "events.h"
#include "native_error.h"

namespace plaintap {

namespace {
constexpr int kPollTimeoutMs = 100;
constexpr size_t kAlign = PLAINTAP_RECORD_ALIGN;
// A drain right after a wakeup often holds one or two records: linger a little to hand JS
// fewer, larger batches (each JS call costs far more than a record). Bounded by time and size.
constexpr auto kLinger = std::chrono::microseconds(2000);
constexpr auto kLingerStep = std::chrono::microseconds(250);
constexpr size_t kEnoughBytes = 256 * 1024;
// How often a reader held back by a full queue looks again.
constexpr auto kBackpressureStep = std::chrono::microseconds(500);

void DeliverBatch(Napi::Env env, Napi::Function on_batch, std::vector<uint8_t>* batch) {
  if (env == nullptr || on_batch.IsEmpty()) {
    delete batch;
    return;
  }
  // Zero copy: the Buffer owns the vector's storage.
  auto buffer = Napi::Buffer<uint8_t>::New(
      env, batch->data(), batch->size(), [](Napi::Env, uint8_t*, std::vector<uint8_t>* owned) { delete owned; }, batch);
  on_batch.Call({buffer});
}
}  // namespace

RingReader::RingReader(Napi::Env env, int ring_map_fd, Napi::Function on_batch, size_t max_pending_batches,
                       RingCounters* counters)
    : counters_(*counters) {
  ring_ = ring_buffer__new(ring_map_fd, &RingReader::OnSample, this, nullptr);
  if (ring_ == nullptr) ThrowError(env, "ERR_PLAINTAP_RINGBUF", "cannot open the ring buffer", errno, "epoll_create");
  tsfn_ = Napi::ThreadSafeFunction::New(env, on_batch, "plaintap-ring-reader", max_pending_batches, 1);
  thread_ = std::thread([this] { Run(); });
}

RingReader::~RingReader() {
  Stop();
  if (ring_ != nullptr) ring_buffer__free(ring_);
  delete batch_;
}

void RingReader::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  thread_.join();
  tsfn_.Release();
}

// Reader thread: copy one record into the current batch, 8-byte aligned.
int RingReader::OnSample(void* ctx, void* data, size_t size) {
  auto* self = static_cast<RingReader*>(ctx);
  if (self->batch_ == nullptr) {
    self->batch_ = new std::vector<uint8_t>();
    self->batch_->reserve(16 * 1024);
  }
  std::vector<uint8_t>& batch = *self->batch_;
  size_t offset = batch.size();
  batch.resize(offset + ((size + kAlign - 1) & ~(kAlign - 1)));
  memcpy(batch.data() + offset, data, size);
  self->batch_records_++;
  self->counters_.records++;
  self->counters_.bytes += size;
  return 0;
}

// Reader thread: hand the batch to JS. When JS is behind (the queue of batches is full) the
// reader waits here and reads no more: new records wait in the kernel ring, which is the buffer
// sized for bursts, and are lost (counted by the kernel) only when it overflows. Batches are dropped
// (counted) only when a stop comes while the queue is full, since JS then cannot take them.
void RingReader::Deliver() {
  if (batch_ == nullptr) return;
  std::vector<uint8_t>* batch = batch_;
  uint64_t records = batch_records_;
  batch_ = nullptr;
  batch_records_ = 0;
  bool waited = false;
  for (;;) {
    napi_status status = tsfn_.NonBlockingCall(batch, DeliverBatch);
    if (status == napi_ok) {
      counters_.batches++;
      return;
    }
    if (status != napi_queue_full || stopping_) break;
    if (!waited) counters_.backpressure_waits++;
    waited = true;
    std::this_thread::sleep_for(kBackpressureStep);
  }
  delete batch;
  counters_.dropped_batches++;
  counters_.dropped_records += records;
}

void RingReader::Run() {
  while (!stopping_) {
    int err = ring_buffer__poll(ring_, kPollTimeoutMs);
    if (err < 0 && err != -EINTR) break;
    auto deadline = std::chrono::steady_clock::now() + kLinger;
    while (batch_ != nullptr && batch_->size() < kEnoughBytes && !stopping_ &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(kLingerStep);
      ring_buffer__consume(ring_);
    }
    Deliver();
  }
  // Final drain so that nothing already in the ring is lost on stop.
  ring_buffer__consume(ring_);
  Deliver();
}

}  // namespace plaintap
