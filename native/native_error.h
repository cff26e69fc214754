// SPDX-License-Identifier: Apache-2.0
// Native failures as JS errors carrying code, errno and syscall (like Node's own).
#pragma once
#include <napi.h>
#include <string>

namespace plaintap {

// Runs on the JS thread.
Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message, int err = 0,
                      const char* syscall = nullptr);

[[noreturn]] void ThrowError(Napi::Env env, const std::string& code, const std::string& message, int err = 0,
                             const char* syscall = nullptr);

}  // namespace plaintap
