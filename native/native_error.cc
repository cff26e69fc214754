// SPDX-License-Identifier: Apache-2.0
#include "native_error.h"

#include <cstring>

namespace plaintap {

Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message, int err,
                      const char* syscall) {
  std::string text = message;
  if (err != 0) text += ": " + std::string(strerror(err));
  Napi::Error error = Napi::Error::New(env, text);
  error.Set("code", Napi::String::New(env, code));
  if (err != 0) error.Set("errno", Napi::Number::New(env, err));
  if (syscall != nullptr) error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

void ThrowError(Napi::Env env, const std::string& code, const std::string& message, int err, const char* syscall) {
  throw MakeError(env, code, message, err, syscall);
}

}  // namespace plaintap
