// SPDX-License-Identifier: Apache-2.0
// plaintap_native: the addon's entry point.
#include <linux/types.h>
#include <napi.h>

#include "capture_session.h"
#include "events.h"
#include "native_error.h"
#include "tracefs.h"

namespace {

// ensureTracefs() → { path, mountedNow }; throws with errno when it cannot mount. JS thread.
Napi::Value EnsureTracefs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  plaintap::TracefsStatus status = plaintap::EnsureTracefs();
  if (status.not_enterable) {
    plaintap::ThrowError(env, "ERR_PLAINTAP_TRACEFS",
                         "tracefs is mounted at " + status.path +
                             " but this user may not enter it: run as root, or let this user read it (e.g. mount -o "
                             "remount,mode=755 " +
                             status.path + ")",
                         status.error, "access");
  }
  if (status.error != 0) {
    plaintap::ThrowError(env, "ERR_PLAINTAP_TRACEFS",
                         "tracefs is not mounted and mounting it at " + status.path + " failed", status.error, "mount");
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("path", status.path);
  result.Set("mountedNow", status.mounted_now);
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("CaptureSession", plaintap::CaptureSession::Define(env));
  exports.Set("ensureTracefs", Napi::Function::New(env, EnsureTracefs));
  // The loader (agent/capture/native-addon.ts) compares these with the generated TypeScript ABI,
  // so an addon built from another events.h is refused at start instead of misreading records.
  exports.Set("abiVersion", Napi::Number::New(env, PLAINTAP_ABI_VERSION));
  exports.Set("recordHeaderSize", Napi::Number::New(env, sizeof(record_header)));
  return exports;
}

}  // namespace

NODE_API_MODULE(plaintap_native, Init)
